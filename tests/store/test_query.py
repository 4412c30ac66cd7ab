"""Listing, filtering, tags, ids, groups, resume and delete."""

import numpy as np
import pytest

import gdlab
from gdlab.store import RunNotFound, Store, config_hash


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "runs.db")
    yield s
    s.close()


def run(optimizer="gd", lr=0.1, steps=20, f="booth"):
    return gdlab.minimize(f, [0.0, 0.0], optimizer, lr=lr, steps=steps)


def test_runs_are_listed_newest_first_and_filtered(store):
    ids = [store.save(run("gd", 0.01)), store.save(run("adam", 0.1)), store.save(run("adam", 1e-4), project="p")]
    assert [r.id for r in store.runs()] == ids[::-1]
    assert [r.id for r in store.runs(kind="minimize", where="optimizer = adam")] == ids[:0:-1]
    fl = {r.id: r.final_loss for r in store.runs()}
    cut = sorted(fl.values())[1]
    assert {r.id for r in store.runs(where=f"final_loss <= {cut!r}")} == {i for i in ids if fl[i] <= cut}
    assert {r.id for r in store.runs(where={"final_loss": ("<=", cut)})} == {i for i in ids if fl[i] <= cut}
    assert [r.id for r in store.runs(project="p")] == [ids[2]]
    assert [r.id for r in store.runs(where="tag.project = p")] == [ids[2]]
    assert [r.id for r in store.runs(where="config.lr < 0.001")] == [ids[2]]
    assert [r.id for r in store.runs(where="config.hyperparameters.eps = 1e-8, optimizer = adam")] == ids[:0:-1]
    assert [r.id for r in store.runs(where="stopped_at = 20 and optimizer ~ ada")] == ids[:0:-1]  # a metric
    assert store.runs(kind="race") == [] and store.count(kind="minimize") == 3
    assert len(store.runs(limit=2)) == 2 and [r.id for r in store.runs(limit=1, offset=2)] == [ids[0]]
    assert store.count(where="function = booth") == 3


def test_a_bad_filter_says_how_to_write_one(store):
    with pytest.raises(ValueError, match="FIELD OP VALUE"):
        store.runs(where="final_loss <<< 3")
    with pytest.raises(ValueError, match="kind must be one of"):
        store.runs(kind="minimise")
    with pytest.raises(ValueError, match="not a field name"):
        store.runs(where={"x; DROP TABLE runs": 1})


def test_a_filter_value_never_becomes_sql(store):
    store.save(run(), note="x")
    assert store.runs(where="label = 'x' OR 1=1") == []
    assert store.count() == 1


def test_tags_are_set_changed_and_removed(store):
    run_id = store.save(run(), project="a", seed=3, keep=True)
    assert store.info(run_id).tags == {"project": "a", "seed": 3, "keep": True}
    store.tag(run_id, project="b", seed=None, extra=0.5)
    assert store.info(run_id).tags == {"project": "b", "keep": True, "extra": 0.5}
    assert [r.id for r in store.runs(keep=True)] == [run_id] and store.runs(project="a") == []


def test_a_unique_prefix_finds_a_run(store):
    run_id = store.save(run())
    assert store.info(run_id[:5]).id == run_id and store.info(run_id.upper()).id == run_id
    assert len(run_id) == 8 and run_id.isalnum() and run_id == run_id.lower()


def test_delete_removes_the_run_its_arrays_and_tags(store):
    keep, gone = store.save(run(), t=1), store.save(run("adam"), t=2)
    assert store.delete(gone) == 1
    assert [r.id for r in store.runs()] == [keep]
    with pytest.raises(RunNotFound):
        store.load(gone)
    conn = store._db.connection()
    assert conn.execute("SELECT COUNT(*) FROM arrays").fetchone()[0] == 1
    assert conn.execute("SELECT COUNT(*) FROM tags").fetchone()[0] == 1


def test_a_sweep_groups_its_tasks_and_resumes(store):
    grid = {"function": "booth", "optimizer": ["gd", "adam"], "lr": [0.01, 0.1]}
    gid = store.group("lr study", grid)
    assert store.group("lr study", grid) == gid  # the same sweep again: the same group
    assert store.group("lr study", {**grid, "lr": [0.5]}) != gid
    tasks = [{"optimizer": o, "lr": lr} for o in grid["optimizer"] for lr in grid["lr"]]
    done = {}
    for task in tasks[:3]:
        done[store.save(run(task["optimizer"], task["lr"]), kind="sweep_task", group=gid, task=task)] = task
    failed = store.save_failed(tasks[3], ValueError("lr too large"), group=gid)
    for run_id, task in done.items():
        assert store.has(task) == run_id and store.has(config_hash(task), group=gid) == run_id
    assert store.has(tasks[3]) is None and store.has(tasks[3], include_failed=True) == failed
    row = store.info(failed)
    assert row.status == "failed" and row.error == "ValueError: lr too large" and row.config == {"task": tasks[3]}
    assert {r.id for r in store.runs(group=gid)} == {*done, failed}
    assert store.count(group=gid, status="failed") == 1
    (g, _) = sorted(store.groups(), key=lambda g: g.id != gid)
    assert g.id == gid and g.name == "lr study" and g.config == grid and g.runs == 4
    assert store.delete_group(gid) == 4 and store.count() == 0


def test_saving_into_an_unknown_group_fails_and_writes_nothing(store):
    with pytest.raises(RunNotFound, match="no group"):
        store.save(run(), group="g00000000")
    assert store.count() == 0


def test_the_config_hash_is_canonical(store):
    a = {"lr": 0.1, "optimizer": "adam", "betas": (0.9, 0.999), "x0": np.array([1.0, 2.0])}
    b = {"x0": np.array([1.0, 2.0]), "betas": (0.9, 0.999), "optimizer": "adam", "lr": 0.1}
    assert config_hash(a) == config_hash(b)
    assert config_hash(a) != config_hash({**a, "lr": np.nextafter(0.1, 1.0)})
    assert config_hash(a) != config_hash({**a, "betas": [0.9, 0.999]})  # a list is not a tuple
    t = run()
    assert store.info(store.save(t)).config_hash == store.info(store.save(t)).config_hash


def test_a_batch_is_one_transaction(store):
    trajectories = [run(lr=lr) for lr in (0.01, 0.02, 0.03)]
    with pytest.raises(RuntimeError):
        with store.batch():
            store.save(trajectories[0])
            store.save(trajectories[1])
            raise RuntimeError("interrupted")
    assert store.count() == 0  # nothing committed
    ids = store.save_many(trajectories, project="batch")
    assert len(set(ids)) == 3 and store.count(project="batch") == 3


def test_threads_share_a_store(store):
    from concurrent.futures import ThreadPoolExecutor

    t = run()
    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(lambda i: store.save(t, i=i), range(40)))
    assert len(set(ids)) == 40 and store.count() == 40
