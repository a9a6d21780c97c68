"""The 3D Tiles tileset the builder wrote, served from disk.

The tiles directory is a link to the current build (``citymodel tiles build`` switches
it atomically), resolved on every request: a new build is served without a restart,
and a request that started on the old build finishes on it. ETags are derived from
the build and the file, so they change exactly when a file does; clients revalidate
(``no-cache``) and get 304s. GZip is applied by the middleware to tileset.json and
.glb files alike, when the client accepts it.
"""

from __future__ import annotations

import os
import re

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from api.errors import NotFound
from api.responses import not_modified

router = APIRouter(tags=["3D Tiles"])
MEDIA_TYPES = {".json": "application/json", ".glb": "model/gltf-binary",
               ".b3dm": "application/octet-stream", ".subtree": "application/octet-stream"}
SAFE_PATH = re.compile(r"^[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*$")


@router.get("/3dtiles/{path:path}", summary="The 3D Tiles tileset of the buildings",
            response_class=Response,
            responses={200: {"content": {"application/json": {}, "model/gltf-binary": {}}},
                       304: {"description": "Not modified"}})
async def tile(request: Request, path: str):
    tiles_dir = request.app.state.settings.resolved_tiles_dir
    if not SAFE_PATH.match(path) or ".." in path.split("/"):
        raise NotFound(f"no such tileset file: {path!r}")
    media_type = MEDIA_TYPES.get(os.path.splitext(path)[1])
    if media_type is None:
        raise NotFound(f"no such tileset file: {path!r}")
    try:
        build = tiles_dir.resolve(strict=True)  # the current build, fixed for this request
        file = (build / path).resolve(strict=True)
        stat = file.stat()
    except (OSError, RuntimeError):
        if path == "tileset.json":
            raise NotFound("no tileset has been built yet: run `citymodel tiles build`") from None
        raise NotFound(f"no such tileset file: {path!r}") from None
    if build not in file.parents or not file.is_file():
        raise NotFound(f"no such tileset file: {path!r}")
    etag = f'"{build.name}-{stat.st_ino:x}-{stat.st_size:x}-{int(stat.st_mtime_ns):x}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return FileResponse(file, media_type=media_type, headers=headers, stat_result=stat)
