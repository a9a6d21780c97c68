"""XML read safely, for every XML reader (Rosreestr, CityGML): lxml's streaming parser with
no DTD loaded, no entity resolved, nothing fetched and no huge trees, and a file that
declares a DOCTYPE or entities refused wherever the declaration stands (however padded),
before any of its elements is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from importers.core import FileRejected

PROLOG_BYTES = 64 * 1024  # read to tell XML from other files


def doctype_refused(path: Path, kind: str) -> str:
    return (f"{path}: the XML declares a DOCTYPE or entities, which {kind} files never do; "
            "refused (it may be an entity-expansion attack)")


def parser(path: Path, **options):
    """lxml's streaming parser, hardened."""
    return etree.iterparse(str(path), resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=True, **options)


def refuse_doctype(path: Path, elem, kind: str) -> None:
    """Refuse the file if its document declares a DOCTYPE (known once its root is read)."""
    docinfo = elem.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise FileRejected(doctype_refused(path, kind))


def root(path: Path, kind: str):
    """The root element (at its start) of an XML file, or None for a file that is not XML;
    a DOCTYPE refuses the file, and so does XML that is not well-formed up to the root."""
    try:
        with path.open("rb") as f:
            head = f.read(PROLOG_BYTES)
    except OSError:
        return None
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return None  # not XML: another reader's file
    try:
        first = next(iter(parser(path, events=("start",))), None)
    except etree.XMLSyntaxError as exc:
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head or "entit" in exc.msg.lower():
            raise FileRejected(doctype_refused(path, kind)) from None  # e.g. amplification
        raise FileRejected(f"{path}: not well-formed XML (line {exc.lineno}): {exc.msg}") from None
    if first is None:
        return None
    refuse_doctype(path, first[1], kind)
    return first[1]


def elements(path: Path, tags, kind: str, events=("end",)) -> Iterator[tuple[str, object]]:
    """The ``tags`` elements (at their end); the file is refused at the first one if it
    has a DOCTYPE (which stands before the root: known by then)."""
    checked = False
    for event, elem in parser(path, events=events, tag=tags):
        if not checked:
            refuse_doctype(path, elem, kind)
            checked = True
        yield event, elem


def release(elem) -> None:
    """Free what has been read: keeps memory flat on large files."""
    elem.clear(keep_tail=False)
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]
