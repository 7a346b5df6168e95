"""Ctrl-C during a long fit: SIGINT stops it within a round or a tree with KeyboardInterrupt, the
estimator keeps its earlier model, and it can be fitted again (gbdt and rf, in one child
process: its start-up is most of the test's time)."""

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
    cases = {
        "gbdt": (scaleml.GBDTClassifier, dict(num_iterations=5, min_data_in_leaf=20),
                 dict(num_iterations=100000, min_data_in_leaf=1)),
        "rf": (scaleml.RandomForestClassifier, dict(n_estimators=3), dict(n_estimators=100000)),
    }
    for algo, (cls, short, long_fit) in cases.items():
        model = cls(n_jobs=2, **short)
        before = model.fit(X, y).predict_proba(X[:100])
        model.set_params(**long_fit)
        print("fitting", algo, flush=True)
        try:
            model.fit(X, y)
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
        for algo in ("gbdt", "rf"):
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
