"""Ctrl-C during a long fit: SIGINT stops it within a round or a tree with KeyboardInterrupt, the
estimator keeps its earlier model, and it can be fitted again."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

SCRIPT = textwrap.dedent("""
    import sys, time
    import numpy as np
    import scaleml
    X, y = scaleml.make_classification(20000, random_state=3)
    algo = sys.argv[1]
    if algo == "gbdt":
        short = dict(num_iterations=5)
        long_fit = dict(num_iterations=100000, min_data_in_leaf=1, num_leaves=63)
        model = scaleml.GBDTClassifier(n_jobs=2, **short)
    else:
        short = dict(n_estimators=3)
        long_fit = dict(n_estimators=100000)
        model = scaleml.RandomForestClassifier(n_jobs=2, **short)
    before = model.fit(X, y).predict_proba(X[:100])
    model.set_params(**long_fit)
    print("fitting", flush=True)
    try:
        model.fit(X, y)
        print("not interrupted", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    assert np.array_equal(model.predict_proba(X[:100]), before)  # the earlier model is kept
    model.set_params(**short)
    if algo == "gbdt":
        model.set_params(min_data_in_leaf=20, num_leaves=31)
    again = model.fit(X, y).predict_proba(X[:100])
    assert np.array_equal(again, before)  # refitting works and gives the same model
    print("refitted", flush=True)
""")


@pytest.mark.parametrize("algo", ["gbdt", "rf"])
def test_sigint_during_fit_raises_keyboard_interrupt(algo):
    child = subprocess.Popen([sys.executable, "-c", SCRIPT, algo], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        assert child.stdout.readline().strip() == "fitting"
        time.sleep(0.5)  # into the long fit
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
        elapsed = time.monotonic() - sent
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, err[-2000:]
    assert out.split() == ["interrupted", "refitted"], out
    assert elapsed < 30, f"the fit took {elapsed:.1f} s to stop"
