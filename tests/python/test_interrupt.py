"""Ctrl-C during a long fit: SIGINT stops it within a round, a tree or a solver iteration with
KeyboardInterrupt, the estimator keeps its earlier model, and it can be fitted again (gbdt, rf and
logreg fits, k-NN's long prediction, in one child process: its start-up is most of the test's
time)."""

import os
import signal
import subprocess
import sys
import textwrap
import time

SCRIPT = textwrap.dedent("""
    import numpy as np
    import scaleml
    X, y = scaleml.make_classification(20000, random_state=3)
    rng = np.random.default_rng(0)
    # logreg is long with many features and no tolerance (L-BFGS runs to max_iter); k-NN's
    # queries are long in 40 dimensions, where the kd-tree prunes little.
    X_wide = rng.standard_normal((20000, 200)).astype(np.float32, order="F")
    y_wide = (X_wide[:, :5].sum(axis=1) + 2 * rng.standard_normal(20000) > 0).astype(np.int32)
    X_knn, y_knn = np.asfortranarray(X_wide[:10000, :40]), y_wide[:10000]
    queries = np.asfortranarray(np.tile(X_knn, (6, 1)))
    cases = {
        "gbdt": (scaleml.GBDTClassifier, X, y, dict(num_iterations=5, min_data_in_leaf=20),
                 dict(num_iterations=100000, min_data_in_leaf=1)),
        "rf": (scaleml.RandomForestClassifier, X, y, dict(n_estimators=3),
               dict(n_estimators=100000)),
        "logreg": (scaleml.LogisticRegression, X_wide, y_wide, dict(max_iter=5),
                   dict(solver="lbfgs", max_iter=1000000, tol=0.0)),
        "knn": (scaleml.KNeighborsClassifier, X_knn, y_knn, {}, None),
    }
    for algo, (cls, X, y, short, long_fit) in cases.items():
        model = cls(n_jobs=2, **short)
        before = model.fit(X, y).predict_proba(X[:100])
        print("fitting", algo, flush=True)
        try:
            if long_fit is None:
                model.predict(queries)  # k-NN: its fit is short, its prediction long
            else:
                model.set_params(**long_fit).fit(X, y)
            print("not-interrupted", algo, flush=True)
        except KeyboardInterrupt:
            print("interrupted", algo, flush=True)
        assert np.array_equal(model.predict_proba(X[:100]), before)  # the earlier model is kept
        again = model.set_params(**short).fit(X, y).predict_proba(X[:100])
        assert np.array_equal(again, before)  # refitting works and gives the same model
        print("refitted", algo, flush=True)
""")


def test_sigint_during_fit_raises_keyboard_interrupt():
    child = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        for algo in ("gbdt", "rf", "logreg", "knn"):
            assert child.stdout.readline().split() == ["fitting", algo]
            time.sleep(0.5)  # into the long fit
            sent = time.monotonic()
            child.send_signal(signal.SIGINT)
            assert child.stdout.readline().split() == ["interrupted", algo]
            assert time.monotonic() - sent < 20, f"{algo}: the fit took long to stop"
            assert child.stdout.readline().split() == ["refitted", algo]
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, err[-2000:]


SCRIPT_OWN_HANDLER = textwrap.dedent("""
    import os, signal, socket, threading, time
    import numpy as np
    import scaleml
    X, y = scaleml.make_classification(20000, random_state=3)
    model = scaleml.GBDTClassifier(n_jobs=2, num_iterations=3)
    model.fit(X, y).predict(X)  # the main thread's OpenMP team exists from here on

    # The fit runs on this thread and its team: no thread of its own, no second team.
    def tasks():
        return len(os.listdir("/proc/self/task"))
    before, most, done = tasks(), [0], threading.Event()
    def sample():
        while not done.is_set():
            most[0] = max(most[0], tasks())
            time.sleep(0.002)
    sampler = threading.Thread(target=sample)
    sampler.start()
    model.set_params(num_iterations=200).fit(X, y)
    done.set()
    sampler.join()
    print("threads", before, most[0], flush=True)

    # A program's own SIGINT handler and wakeup fd (as an event loop sets them) are kept: the fit
    # runs to its end, the handler runs after it, and the fd receives the signal's number.
    calls = []
    signal.signal(signal.SIGINT, lambda number, frame: calls.append(number))
    reader, writer = socket.socketpair()
    writer.setblocking(False)
    reader.settimeout(10)
    signal.set_wakeup_fd(writer.fileno())
    print("fitting", flush=True)
    model.set_params(num_iterations=1500, min_data_in_leaf=1).fit(X, y)
    print("fitted", calls,
          reader.recv(1)[0] == signal.SIGINT, signal.set_wakeup_fd(-1) == writer.fileno(),
          flush=True)
""")


def test_own_sigint_handler_and_wakeup_fd_are_kept_and_no_thread_is_added():
    child = subprocess.Popen([sys.executable, "-c", SCRIPT_OWN_HANDLER], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        threads = child.stdout.readline().split()
        assert threads[0] == "threads", threads
        # + the sampler and the signal watcher (a fit on a thread of its own would add that
        # thread and its OpenMP team: 2 more)
        assert int(threads[2]) <= int(threads[1]) + 2, threads
        assert child.stdout.readline().split() == ["fitting"]
        time.sleep(0.5)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, err[-2000:]
    assert out.split() == ["fitted", f"[{int(signal.SIGINT)}]", "True", "True"], out
