#!/usr/bin/python3
"""Data-layer benchmark: generation and loading of the paper's "1GB" file (5,000,000 x 10),
scaleml side by side with the paper's Python generator and pandas.read_csv in the same run.

  /usr/bin/python3 bench/run_data_bench.py [--rows 5000000] [--threads 2] [--out out/bench-data]

Writes OUT/data_bench.json and prints a markdown table with the ratios.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import benchlib  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "scaleml"))
    ap.add_argument("--out", default=os.path.join(ROOT, "out", "bench-data"))
    ap.add_argument("--skip-peers", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    csv = os.path.join(args.out, f"paper-{args.rows}.csv")
    results = {"rows": args.rows, "threads": args.threads, "machine": benchlib.machine()}

    benchlib.log(f"scaleml generate {args.rows} rows ...")
    t, rss, _ = benchlib.run_with_rss(
        [args.binary, "generate", "--samples", str(args.rows), "--problem-per-chunk",
         "--threads", str(args.threads), "--seed", "1", "--out", csv], env)
    size = os.path.getsize(csv)
    results["file_bytes"] = size
    results["generate"] = {"seconds": t, "peak_rss_bytes": rss, "mb_per_s": size / 1e6 / t}

    cache = os.path.splitext(csv)[0] + ".scaleml"
    if os.path.exists(cache):
        os.remove(cache)
    benchlib.log("scaleml inspect (parse, no cache) ...")
    cold = benchlib.drop_page_cache(csv)
    t, rss, out = benchlib.run_with_rss(
        [args.binary, "inspect", csv, "--json", "--threads", str(args.threads), "--no-cache"], env)
    info = json.loads(out)
    results["parse"] = {"seconds_process": t, "load_s": info.get("load_s"),
                        "peak_rss_bytes": rss, "page_cache_dropped": cold,
                        "dataset_bytes": args.rows * (10 * 4 + 4 + 8)}
    benchlib.log("scaleml inspect (parse, warm) ...")
    t, rss, out = benchlib.run_with_rss(
        [args.binary, "inspect", csv, "--json", "--threads", str(args.threads), "--no-cache"], env)
    info = json.loads(out)
    results["parse_warm"] = {"seconds_process": t, "load_s": info.get("load_s"),
                             "peak_rss_bytes": rss}
    # Write the cache, then read from it.
    benchlib.run_with_rss([args.binary, "inspect", csv, "--json"], env)
    t, rss, out = benchlib.run_with_rss(
        [args.binary, "inspect", csv, "--json", "--threads", str(args.threads)], env)
    info = json.loads(out)
    results["cache"] = {"seconds_process": t, "load_s": info.get("load_s"), "peak_rss_bytes": rss}

    if not args.skip_peers:
        peer_csv = os.path.join(args.out, f"paper-peer-{args.rows}.csv")
        benchlib.log("paper generator (python, scikit-learn + pandas) ...")
        t, rss, _ = benchlib.run_with_rss(
            ["/usr/bin/python3", os.path.join(ROOT, "bench", "peers", "paper_generate.py"),
             "--samples", str(args.rows), "--out", peer_csv], env)
        results["peer_generate"] = {"seconds": t, "peak_rss_bytes": rss,
                                    "mb_per_s": os.path.getsize(peer_csv) / 1e6 / t}
        for leftover in (peer_csv, peer_csv + ".meta"):
            if os.path.exists(leftover):
                os.remove(leftover)
        benchlib.log("pandas.read_csv ...")
        t, rss, out = benchlib.run_with_rss(
            ["/usr/bin/python3", "-c",
             "import sys,time,pandas as pd;t=time.monotonic();df=pd.read_csv(sys.argv[1]);"
             "print(time.monotonic()-t)", csv], env)
        results["peer_read_csv"] = {"seconds_process": t, "load_s": float(out.strip()),
                                    "peak_rss_bytes": rss}

    benchlib.write_json(os.path.join(args.out, "data_bench.json"), results)
    mb = results["file_bytes"] / 1e6
    print(f"| measure ({args.rows} rows, {mb:.0f} MB, {args.threads} threads) | scaleml | peer | ratio |")
    print("|---|---|---|---|")
    g = results["generate"]
    pg = results.get("peer_generate")
    print(f"| generate | {g['seconds']:.2f} s ({g['mb_per_s']:.0f} MB/s) | "
          + (f"{pg['seconds']:.2f} s | {pg['seconds'] / g['seconds']:.1f}x |" if pg else "- | - |"))
    p = results["parse"]
    w = results["parse_warm"]
    pr = results.get("peer_read_csv")
    # pandas runs last, with the file in the page cache: compare it with our warm parse.
    print(f"| load CSV (parse, file in page cache) | {w['load_s']:.2f} s ({mb / w['load_s']:.0f} MB/s) | "
          + (f"{pr['load_s']:.2f} s | {pr['load_s'] / w['load_s']:.1f}x |" if pr else "- | - |"))
    print(f"| load CSV (parse, cold: page cache dropped) | {p['load_s']:.2f} s | - | - |")
    c = results["cache"]
    print(f"| load binary cache | {c['load_s']:.3f} s | "
          + (f"{pr['load_s']:.2f} s | {pr['load_s'] / c['load_s']:.0f}x |" if pr else "- | - |"))
    ds = results["parse"]["dataset_bytes"]
    print(f"| peak RSS parsing / dataset | {p['peak_rss_bytes'] / ds:.2f}x | "
          + (f"{pr['peak_rss_bytes'] / ds:.2f}x | |" if pr else "- | |"))


if __name__ == "__main__":
    main()
