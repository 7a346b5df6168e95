#!/usr/bin/python3
"""The paper's PyTorch pipeline, done right: every rank of a torch.distributed gloo group reads
the whole CSV with pandas, takes scaleml's train/test split (as peer_train.py does), keeps a
random 1/N of the training rows (its share of a seeded permutation, disjoint across ranks),
trains the scikit-learn / XGBoost model alone on them and scores the whole test set. Rank 0
gathers every rank's times and accuracy and prints ONE JSON object on stdout with the fields of
peer_train.py: accuracy = mean over ranks, phase times = max over ranks, "per_rank" the list.

  /usr/bin/python3 -m torch.distributed.run --nnodes 1 --nproc-per-node N \
      --master-addr 127.0.0.1 --master-port P --redirects=9:1 --tee=9:1 \
      bench/peers/peer_torch_ddp.py --algo ALGO --data FILE.csv [--threads T] [--param k=v ...]

--threads is per rank (the paper's scripts and our ddp runs: 1 per rank on a small machine).
Ranks read RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT from torchrun's environment.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_train  # noqa: E402  (beside this file)


def parse_args(argv):
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--comm-timeout", type=float, default=600.0,
                    help="seconds a rank waits for the others (group forming, gathering)")
    own, rest = ap.parse_known_args(argv)
    args = peer_train.parse_args(rest)
    args.comm_timeout = own.comm_timeout
    return args


def training_share(rows_train, rank, world, seed):
    """The training rows (indices into the training set, ascending) that `rank` keeps: its slice
    of a permutation seeded by `seed`, so the shares are random, disjoint and cover every row."""
    import numpy as np
    order = np.random.default_rng(seed).permutation(rows_train)
    return np.sort(np.array_split(order, world)[rank])


def main(argv):
    args = parse_args(argv)
    peer_train.limit_threads(args.threads)  # before numpy, torch and the estimators load
    import datetime
    import json
    import pandas  # noqa: F401  (loaded before the clock starts, as in peer_train.py)
    import torch
    import torch.distributed as dist

    torch.set_num_threads(args.threads)
    model, library, version = peer_train.make_model(args.algo, args.params, args.threads)
    connect_start = time.perf_counter()
    dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=args.comm_timeout))
    connect_s = time.perf_counter() - connect_start
    rank, world = dist.get_rank(), dist.get_world_size()

    start = time.perf_counter()
    x_train, x_test, y_train, y_test = peer_train.load_split(args)
    rows_train_all = len(y_train)
    share = training_share(rows_train_all, rank, world, args.seed)
    x_train, y_train = x_train.iloc[share], y_train[share]
    load_s = time.perf_counter() - start
    fit_s, predict_s, accuracy, classes = peer_train.fit_predict(model, x_train, y_train, x_test,
                                                                 y_test)
    total_s = time.perf_counter() - start
    mine = {"rank": rank, "connect_s": connect_s, "load_s": load_s, "fit_s": fit_s,
            "predict_s": predict_s, "total_s": total_s, "accuracy": accuracy,
            "rows_train": int(len(y_train)), "peak_rss_bytes": peer_train.peak_rss_bytes()}

    gather_start = time.perf_counter()
    ranks = [None] * world
    dist.all_gather_object(ranks, mine)
    comm_s = time.perf_counter() - gather_start
    if rank == 0:
        record = {
            "algo": args.algo, "engine": "torch-ddp", "library": library, "version": version,
            "torch_version": torch.__version__, "backend": "gloo", "data": args.data,
            "ranks": world, "rows_train": int(rows_train_all), "rows_test": int(len(y_test)),
            "features": int(x_train.shape[1]), "classes": int(len(classes)),
            "accuracy": sum(r["accuracy"] for r in ranks) / world,
            "load_s": max(r["load_s"] for r in ranks), "fit_s": max(r["fit_s"] for r in ranks),
            "predict_s": max(r["predict_s"] for r in ranks), "comm_s": comm_s,
            "total_s": max(r["total_s"] for r in ranks) + comm_s,
            "peak_rss_bytes": max(r["peak_rss_bytes"] for r in ranks), "threads": args.threads,
            "test_size": args.test_size, "seed": args.seed,
            "params": peer_train.params_text(model), "per_rank": ranks,
        }
        print(json.dumps(record), flush=True)
    # Nobody leaves while rank 0 may still be reading from the group.
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1:])
