#!/usr/bin/env python3
"""Writes the seed corpora of the libFuzzer harnesses: tests/fuzz/corpus/<harness>/<seed>.

The seeds are small valid (and a few nearly valid) inputs in each format, written by hand after
the formats' headers and the unit tests (tests/*_test.cpp); none comes from ../shared/data.
Run it again after changing a seed below; the output is committed, so building the fuzzers
does not need it. Usage: python3 tests/fuzz/make_corpus.py [OUTPUT_DIR]
"""
import io
import os
import struct
import sys
import zipfile

BOM = "\ufeff"

GRAPHML = """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="key0" for="graph" attr.name="description" attr.type="string" />
  <key id="key1" for="node" attr.name="host" attr.type="int" />
  <key id="key2" for="node" attr.name="kind" attr.type="string" />
  <key id="key3" for="node" attr.name="name" attr.type="string" />
  <key id="key4" for="node" attr.name="server" attr.type="int" />
  <key id="key5" for="edge" attr.name="buffer_bytes" attr.type="long" />
  <key id="key6" for="edge" attr.name="kind" attr.type="string" />
  <key id="key7" for="edge" attr.name="latency_ps" attr.type="long" />
  <key id="key8" for="edge" attr.name="rate_bps" attr.type="long" />
  <graph id="G" edgedefault="undirected" parse.nodeids="canonical" parse.edgeids="canonical" parse.order="nodesfirst">
    <data key="key0">two hosts one switch</data>
    <node id="n0"><data key="key1">0</data><data key="key2">host</data><data key="key3">host0</data><data key="key4">-1</data></node>
    <node id="n1"><data key="key1">1</data><data key="key2">host</data><data key="key3">host1</data><data key="key4">-1</data></node>
    <node id="n2"><data key="key1">-1</data><data key="key2">leaf</data><data key="key3">leaf0</data><data key="key4">-1</data></node>
    <edge id="e0" source="n0" target="n2"><data key="key5">1048576</data><data key="key6">host</data><data key="key7">1000000</data><data key="key8">100000000000</data></edge>
    <edge id="e1" source="n1" target="n2"><data key="key5">1048576</data><data key="key6">host</data><data key="key7">1000000</data><data key="key8">100000000000</data></edge>
  </graph>
</graphml>
"""

GRAPHML_TEXT_UNITS = """<?xml version="1.0"?>
<graphml>
  <key id="r" for="edge" attr.name="rate" attr.type="string" />
  <key id="l" for="edge" attr.name="latency" attr.type="string" />
  <key id="b" for="edge" attr.name="buffer" attr.type="string" />
  <graph edgedefault="undirected">
    <node id="gpu0"/><node id="gpu1"/><node id="nvs0"/><node id="spine"/>
    <edge source="gpu0" target="nvs0"><data key="r">900GB/s</data><data key="l">100ns</data></edge>
    <edge source="gpu1" target="nvs0"><data key="r">7.2Tbps</data><data key="l">0.1us</data><data key="b">4MiB</data></edge>
    <edge source="nvs0" target="spine"><data key="r">400Gbps</data><data key="l">1us</data></edge>
  </graph>
</graphml>
"""


def npy(descr, shape, values, version=1, fortran=False):
    """A NumPy .npy file: magic, version, header dict padded to 64 bytes, raw data."""
    dims = "".join(f"{d}, " for d in shape) if len(shape) != 1 else f"{shape[0]},"
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (
        descr, "True" if fortran else "False", dims.rstrip(", ") if len(shape) > 1 else dims)
    fmt = {"i8": "q", "i4": "i", "i2": "h", "i1": "b", "u1": "B", "f4": "f", "f8": "d"}[descr[1:]]
    prefix = 10 if version == 1 else 12
    header += " " * ((64 - (prefix + len(header) + 1) % 64) % 64) + "\n"
    size = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    data = struct.pack("<" + fmt * len(values), *values)
    return b"\x93NUMPY" + bytes([version, 0]) + size + header.encode("latin1") + data


def npz(deflate, arrays):
    """A .npz: a ZIP of NAME.npy members, stored (numpy.savez) or deflated (savez_compressed)."""
    buf = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, content in arrays:
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, content)
    return buf.getvalue()


def mtrace(num_experts, top_k, flags, batches):
    """Binary trace per trace_io.hpp; batches: (iteration, layer, tokens, experts, weights, ranks)."""
    out = b"MOETRACE" + struct.pack("<4I", 1, num_experts, top_k, flags)
    wide = num_experts > 65536
    for it, layer, tokens, experts, weights, ranks in batches:
        out += struct.pack("<3I", it, layer, len(tokens))
        out += struct.pack(f"<{len(tokens)}I", *tokens)
        out += struct.pack(f"<{len(experts)}{'I' if wide else 'H'}", *experts)
        if flags & 1:
            out += struct.pack(f"<{len(weights)}f", *weights)
        if flags & 2:
            out += struct.pack(f"<{len(ranks)}I", *ranks)
    return out


def varint(v):
    out = b""
    while True:
        b, v = v & 0x7F, v >> 7
        out += bytes([b | (0x80 if v else 0)])
        if not v:
            return out


def pb(field, value):
    """One protobuf field (et_def.proto numbers): an int as a varint, str/bytes length-delimited."""
    if isinstance(value, int):
        return varint(field << 3) + varint(value)
    data = value.encode() if isinstance(value, str) else value
    return varint(field << 3 | 2) + varint(len(data)) + data


def attr(name, value):
    """AttributeProto: int64_val (9) for an int, string_val (29) for a str."""
    return pb(1, name) + (pb(9, value) if isinstance(value, int) else pb(29, value))


def et_node(nid, kind, deps=(), duration=0, attrs=()):
    """Node: id 1, name 2, type 3, data_deps 5 (unpacked), duration_micros 7, attr 10."""
    out = pb(1, nid) + pb(2, f"n{nid}") + pb(3, kind)
    out += b"".join(pb(5, d) for d in deps) + (pb(7, duration) if duration else b"")
    return out + b"".join(pb(10, attr(k, v)) for k, v in attrs)


def et_rank(*nodes, version="0.0.4"):
    """One rank file: a length-delimited GlobalMetadata, then the Nodes."""
    msgs = [pb(1, version)] + list(nodes)
    return b"".join(varint(len(m)) + m for m in msgs)


COMP, SEND, RECV, COLL = 4, 5, 6, 7


def et_coll(nid, comm_type, size, deps=()):
    return et_node(nid, COLL, deps, attrs=[("comm_type", comm_type), ("comm_size", size)])


def et_send(nid, dst, tag=0, size=4096):
    return et_node(nid, SEND, attrs=[("comm_dst", dst), ("comm_tag", tag), ("comm_size", size)])


def et_recv(nid, src, tag=0, size=4096):
    return et_node(nid, RECV, attrs=[("comm_src", src), ("comm_tag", tag), ("comm_size", size)])


SEEDS = {
    "chakra": {
        # Rank files joined by "#ET#" (tests/fuzz/fuzz_chakra.cpp).
        "meta_only": et_rank(),
        "compute_chain": et_rank(et_node(0, COMP, duration=5), et_node(1, COMP, [0], 7)),
        "send_recv": et_rank(et_node(0, COMP, duration=3), et_send(1, 1))
        + b"#ET#"
        + et_rank(et_recv(0, 0), et_node(1, COMP, [0], 2)),
        "all_reduce_2": b"#ET#".join(et_rank(et_coll(0, 0, 1 << 20)) for _ in range(2)),
        "all_to_all_4": b"#ET#".join(et_rank(et_coll(0, 6, 1 << 16)) for _ in range(4)),
        "all_gather_dep": b"#ET#".join(
            et_rank(et_node(0, COMP, duration=1), et_coll(1, 2, 4096, [0])) for _ in range(2)
        ),
        "pg_name": b"#ET#".join(
            et_rank(et_node(0, COLL, attrs=[("comm_type", 7), ("comm_size", 8192), ("pg_name", "0")]))
            for _ in range(2)
        ),
        "bad_version": et_rank(version="9.9"),
        "truncated": et_rank(et_node(0, COMP, duration=5))[:-3],
    },
    "units": {
        "time_us": "1.5us", "time_ns": "500ns", "time_ms": "2ms", "time_s": "1s",
        "time_ps": "100ps", "bytes_kib": "4KiB", "bytes_mb": "2MB", "bytes_gib": "1GiB",
        "bytes_b": "100B", "rate_gbps": "400Gbps", "rate_g": "100G", "rate_tbps": "1.6Tbps",
        "rate_slash": "25Gb/s", "max_time": "1000000s", "bare": "12",
    },
    "trace_csv": {
        "full": "iteration,layer,token,rank,expert,weight\n"
                "0,0,0,0,3,0.75\n0,0,0,1,1,0.25\n0,0,1,0,2,0.5\n0,0,1,1,0,0.5\n"
                "0,1,0,0,5,1\n0,1,0,1,6,0\n1,0,4,0,7,0.9\n1,0,4,1,3,0.1\n",
        "no_rank_weight": "# comment\ntoken,layer,iteration,expert\n0,0,0,1\n1,0,0,2\n\n2,0,0,3\n",
        "bom_top1": BOM + "iteration,layer,token,expert,weight\r\n0,0,0,1,1e-3\r\n0,0,2,127,1.5\r\n",
    },
    "trace_jsonl": {
        "iteration": '{"iteration": 0, "layer": 0, "experts": [0, 1], "gating_probs": [0.75, 0.25], "token_idx": 0}\n'
                     '{"iteration": 0, "layer": 0, "experts": [2, 1], "gating_probs": [0.5, 0.5], "token_idx": 1}\n'
                     '{"iteration": 1, "layer": 1, "experts": [3, 4], "gating_probs": [0.6, 0.4], "token_idx": 0, "rank": 0}\n',
        "mixtral": '{"dataset": "humaneval", "problem_id": 0, "layer": 0, "token_pos": 5, "experts": [1, 2], "gating_probs": [0.6, 0.4]}\n'
                   '{"dataset": "humaneval", "problem_id": 0, "layer": 1, "token_pos": 5, "experts": [7, 0], "gating_probs": [0.9, 0.1]}\n'
                   '{"dataset": "humaneval", "problem_id": 1, "layer": 0, "token_pos": 0, "experts": [3, 4], "gating_probs": [5e-1, 0.5]}\n',
        "escapes": BOM + '{"layer": 0, "experts": [1], "gating_probs": [1.0], "note": "a\\"b\\u00e9\\n", "x": [true, null, {"y": -1.5E+2}]}\r\n',
    },
    "trace_binary": {
        "weights_ranks": mtrace(8, 2, 3, [(0, 0, [0, 1], [3, 1, 2, 0], [0.75, 0.25, 0.5, 0.5],
                                             [0, 0]), (0, 1, [0], [5, 6], [1.0, 0.0], [1])]),
        "plain": mtrace(4, 1, 0, [(0, 0, [0, 1, 2], [0, 1, 3], [], []), (2, 0, [7], [2], [], [])]),
        "wide": mtrace(70000, 1, 1, [(0, 0, [0], [69999], [1.0], [])]),
        "empty": mtrace(8, 2, 0, []),
    },
    "trace_npy": {
        "i8": npy("<i8", (2, 3, 2), [0, 1, 2, 3, 4, 5, 15, 14, 13, 12, 1, 0]),
        "u1": npy("|u1", (1, 2, 1), [7, 9]),
        "v2_i4": npy("<i4", (1, 1, 2), [3, 4], version=2),
        "f4": npy("<f4", (1, 1, 2), [0.5, 0.25]),
        "fortran": npy("<i2", (1, 2, 1), [1, 2], fortran=True),
    },
    "trace_npz": {
        "stored": npz(False, [("experts", npy("<i4", (1, 2, 2), [0, 1, 2, 3])),
                              ("weights", npy("<f4", (1, 2, 2), [0.5, 0.5, 0.75, 0.25]))]),
        "deflated": npz(True, [("ids", npy("<i8", (2, 1, 1), [5, 6]))]),
        "two_ints": npz(False, [("a", npy("|i1", (1, 1, 1), [1])), ("b", npy("|i1", (1, 1, 1), [2]))]),
    },
    "json_cursor": {
        "object": '{"num_experts": 4, "a": [1, -2.5e3, true, false, null], "s": "x\\ty\\u0041"}',
        "nested": '[[[{}]], {"k": {"k": []}}, "", 0]',
        "usage": '{"num_experts": 2, "expert_usage_by_layer": {"0": {"0": 3, "1": 4}}}',
    },
    "counts_csv": {
        "long": "iteration,layer,expert,count\n0,0,0,2\n0,0,3,5\n0,1,1,7\n1,0,2,1\n",
        "no_iteration": BOM + "layer,expert,count\n0,0,1\n0,63,2\n",
        "model_filter": "model,layer,expert,count\nolmoe,0,0,3\nmixtral,0,0,9\nolmoe,0,1,4\n",
        "matrix": "# mixtral expert activation counts\n10,20,30,40\n5,6,7,8\n",
    },
    "expert_usage_json": {
        "two_layers": '{"num_experts": 4, "expert_usage_by_layer": {"0": {"0": 3, "1": 4, "3": 1}, '
                      '"1": {"2": 10}}, "other": [1, 2]}',
        "bom": BOM + '{"expert_usage_by_layer": {"0": {"1": 2}}, "num_experts": 2}',
    },
    "policy_csv": {
        "loads": "layer,expert,load\n0,0,1.5\n0,1,2\n1,1,0\n1,0,3.25\n",
        "counts": BOM + "# counts\nexpert,count\n1,18446744073709551615\n0,0\n",
        "counts_small": "expert,count\n0,5\n2,7\n1,0\n",
    },
    "traffic_matrix": {
        "bytes": "0,100,200\n300,0,4KiB\n1MiB,2,0\n",
        "comment": BOM + "# 2 hosts\n0,18446744073709551615\n0,0\n",
    },
    "edge_list": {
        "leaf_spine": "u,v,rate,latency\nhost0, a, 100Gbps, 1us\nhost1,a,100Gbps,1us\n\n"
                      "a,b,400Gbps,2.5us\n# c\nhost2,b,100Gbps,1us\n",
        "buffer": BOM + "u,v,rate,latency,buffer\ngpu0,nvs0,900GB/s,100ns,4MiB\n"
                        "gpu1,nvs0,900GB/s,100ns,4MiB\nnvs0,sw,400G,1us,1MiB\n",
    },
    "graphml": {"exported": GRAPHML, "text_units": GRAPHML_TEXT_UNITS},
    "ini": {
        "config": "# run\nmodel = fluid\nleaves=4\n; comment\n  spines =  2 \nlink-rate = 400Gbps\n",
        "grid": BOM + "leaves = 2,4\nleaves = 8\ntransport = ecmp, spray\n",
    },
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
    for harness, seeds in SEEDS.items():
        os.makedirs(os.path.join(out, harness), exist_ok=True)
        for name, content in seeds.items():
            data = content if isinstance(content, bytes) else content.encode("utf-8")
            with open(os.path.join(out, harness, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
