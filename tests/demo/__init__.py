"""Helpers shared by the gallery's tests."""

import re

#: the only network address the gallery may name: a link (<a href>) to a page of ``gdlab serve`` on this machine
LAB_LINK = re.compile(r'<a href="http://(?:127\.0\.0\.1|localhost):\d+/[\w/-]*"')


def without_lab_links(page: str) -> str:
    """``page`` with its links to the local lab blanked: what is left must name no network address."""
    return LAB_LINK.sub('<a href=""', page)
