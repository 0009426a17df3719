#!/usr/bin/env python3
"""OCI image layouts for tests/hybrid, written from the image specification with Python's
tarfile and hashlib (independent of weld's src/oci):

  mkimage.py svc LAYOUT TAG BINARY        /svc (the binary) over a layer with files that the
                                          second layer removes by whiteouts
  mkimage.py hostile LAYOUT TAG KIND OUT  one layer that tries to write OUT (outside the
                                          root): KIND dotdot, symlink or hardlink
  mkimage.py all DIR BINARY OUTSIDE       DIR/svc:1 and :2, DIR/KIND:1 for each hostile KIND
                                          aimed at OUTSIDE/pwned-KIND (one process: cheaper)
"""
import hashlib
import io
import json
import os
import sys
import tarfile


def blob(layout, data):
    d = hashlib.sha256(data).hexdigest()
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(layout, "blobs", "sha256", d), "wb") as f:
        f.write(data)
    return "sha256:" + d


def tar(entries):
    """entries: (name, kind, data_or_target, mode)"""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for name, kind, data, mode in entries:
            ti = tarfile.TarInfo(name)
            ti.mode = mode
            ti.mtime = 1700000000
            if kind == "file":
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
            elif kind == "dir":
                ti.type = tarfile.DIRTYPE
                t.addfile(ti)
            elif kind == "symlink":
                ti.type = tarfile.SYMTYPE
                ti.linkname = data
                t.addfile(ti)
            elif kind == "hardlink":
                ti.type = tarfile.LNKTYPE
                ti.linkname = data
                t.addfile(ti)
    return buf.getvalue()


def write(layout, tag, layers, entrypoint):
    os.makedirs(layout, exist_ok=True)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    descs, diff_ids = [], []
    for data in layers:
        d = blob(layout, data)
        descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": len(data)})
        diff_ids.append(d)
    config = {"architecture": "amd64", "os": "linux",
              "config": {"Env": ["PATH=/bin", "IMAGE_VAR=from-image"], "Entrypoint": entrypoint, "WorkingDir": "/"},
              "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    cdata = json.dumps(config).encode()
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": blob(layout, cdata),
                           "size": len(cdata)},
                "layers": descs}
    mdata = json.dumps(manifest).encode()
    md = blob(layout, mdata)
    index_path = os.path.join(layout, "index.json")
    index = {"schemaVersion": 2, "manifests": []}
    if os.path.exists(index_path):
        with open(index_path) as f:
            index = json.load(f)
    index["manifests"] = [m for m in index["manifests"]
                          if m.get("annotations", {}).get("org.opencontainers.image.ref.name") != tag]
    index["manifests"].append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md,
                               "size": len(mdata), "annotations": {"org.opencontainers.image.ref.name": tag}})
    with open(index_path, "w") as f:
        json.dump(index, f)


def main(argv):
    if argv[1] == "all":
        d, binary, outside = argv[2:5]
        main(["", "svc", d + "/svc", "1", binary])
        main(["", "svc", d + "/svc", "2", binary])
        for kind in ("dotdot", "symlink", "hardlink"):
            main(["", "hostile", d + "/" + kind, "1", kind, outside + "/pwned-" + kind])
    elif argv[1] == "svc":
        layout, tag, binary = argv[2:5]
        with open(binary, "rb") as f:
            exe = f.read()
        lower = tar([("bin", "dir", None, 0o755), ("etc", "dir", None, 0o755), ("etc/old.txt", "file", b"old\n", 0o644),
                     ("data", "dir", None, 0o755), ("data/a", "file", b"a\n", 0o644), ("data/b", "file", b"b\n", 0o644)])
        upper = tar([("./svc", "file", exe, 0o755), ("etc/.wh.old.txt", "file", b"", 0o644),
                     ("data/c", "file", b"c\n", 0o644), ("data/.wh..wh..opq", "file", b"", 0o644),
                     ("etc/new.txt", "file", b"new\n", 0o644)])
        write(layout, tag, [lower, upper], ["/svc"])
    elif argv[1] == "hostile":
        layout, tag, kind, out = argv[2:6]
        if kind == "dotdot":
            rel = os.path.relpath(out, "/")
            entries = [("../../../../../../../../" + rel, "file", b"pwned\n", 0o644)]
        elif kind == "symlink":
            entries = [("escape", "symlink", os.path.dirname(out), 0o777),
                       ("escape/" + os.path.basename(out), "file", b"pwned\n", 0o644)]
        elif kind == "hardlink":
            entries = [("victim", "hardlink", "../../../../../../../../" + os.path.relpath(out, "/"), 0o644)]
        else:
            raise SystemExit("unknown kind " + kind)
        write(layout, tag, [tar(entries)], ["/svc"])
    else:
        raise SystemExit(__doc__)


main(sys.argv)
