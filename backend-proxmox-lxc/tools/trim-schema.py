#!/usr/bin/env python3
"""Writes the simulator's copy of the Proxmox VE API schema: only the path+method pairs the provider uses,
descriptions removed. Run from the repository root with the shared schema beside the checkout:

    python3 backend-proxmox-lxc/tools/trim-schema.py ../shared/proxmox/pve-apidata.json \
        > backend-proxmox-lxc/src/test/resources/proxmox/pve-apidata-trimmed.json
"""
import json
import sys

USED = {
    "/version": ["GET"],
    "/access/ticket": ["POST"],
    "/cluster/resources": ["GET"],
    "/cluster/nextid": ["GET"],
    "/nodes": ["GET"],
    "/nodes/{node}/lxc": ["GET", "POST"],
    "/nodes/{node}/lxc/{vmid}": ["DELETE"],
    "/nodes/{node}/lxc/{vmid}/config": ["GET", "PUT"],
    "/nodes/{node}/lxc/{vmid}/status/current": ["GET"],
    "/nodes/{node}/lxc/{vmid}/interfaces": ["GET"],
    "/nodes/{node}/lxc/{vmid}/status/start": ["POST"],
    "/nodes/{node}/lxc/{vmid}/status/shutdown": ["POST"],
    "/nodes/{node}/lxc/{vmid}/status/stop": ["POST"],
    "/nodes/{node}/lxc/{vmid}/clone": ["POST"],
    "/nodes/{node}/lxc/{vmid}/migrate": ["POST"],
    "/nodes/{node}/lxc/{vmid}/resize": ["PUT"],
    "/nodes/{node}/tasks/{upid}/status": ["GET"],
    "/nodes/{node}/tasks/{upid}/log": ["GET"],
    "/nodes/{node}/vzdump": ["POST"],
    "/nodes/{node}/storage/{storage}/content": ["GET"],
    "/nodes/{node}/storage/{storage}/content/{volume}": ["DELETE"],
}
DROP = {"description", "verbose_description", "typetext", "format_description", "permissions", "returns"}


def strip(value, names=False):
    """Drops documentation keys; inside "properties" and property-string "format" maps the keys are parameter
    names (one of them may well be called "description"), so those are kept."""
    if isinstance(value, dict):
        return {k: strip(v, k in ("properties", "format") and isinstance(v, dict))
                for k, v in value.items() if names or k not in DROP}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def walk(node, out):
    methods = USED.get(node["path"])
    if methods:
        info = {m: strip(node["info"][m]) for m in methods}
        missing = [m for m in methods if m not in node["info"]]
        if missing:
            sys.exit(f"{node['path']} has no {missing}")
        out[node["path"]] = info
    for child in node.get("children") or []:
        walk(child, out)


def main():
    tree = json.load(open(sys.argv[1]))
    out = {}
    for node in tree:
        walk(node, out)
    absent = set(USED) - set(out)
    if absent:
        sys.exit(f"paths not in the schema: {sorted(absent)}")
    json.dump(dict(sorted(out.items())), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


main()
