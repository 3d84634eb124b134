#!/usr/bin/env python3
"""Tests of scripts/soak.

  soak_test.py unit          the flatness rule on synthetic series (flat, growing RSS, leaking
                             fds, too short), the schedule and the duration parser
  soak_test.py run BUILD     a 20 s soak against the real cluster of BUILD: the script runs end
                             to end, prints its table and passes (lost 0, duplicates 0, flat)
"""
import importlib.machinery
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOAK = os.path.join(HERE, "..", "..", "scripts", "soak")


def load_soak():
    loader = importlib.machinery.SourceFileLoader("soak", SOAK)
    spec = importlib.util.spec_from_loader("soak", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


soak = load_soak()

MIB = 1024


def series(rss_mib, other_fds, step_s=5.0):
    """Samples (t, rss_kib, fds, other_fds) every step_s from t=0."""
    return [(i * step_s, int(r * MIB), o + 20, o) for i, (r, o) in enumerate(zip(rss_mib, other_fds))]


class FlatnessRule(unittest.TestCase):
    def test_a_flat_series_is_flat(self):
        # Warm-up growth (before 60 s) does not count; noise after it stays inside the band.
        rss = [5, 8, 10, 11, 12, 12] + [12 + (i % 3) * 0.3 for i in range(100)]
        verdict, why = soak.judge_instance(series(rss, [14] * len(rss)), warmup_s=25)
        self.assertEqual(verdict, "flat", why)

    def test_rss_that_keeps_growing_fails(self):
        # 12 MiB growing 0.1 MiB a sample: 22 MiB after 100 samples, past 12 * 1.2 + 4.
        rss = [12 + 0.1 * i for i in range(100)]
        verdict, why = soak.judge_instance(series(rss, [14] * 100), warmup_s=10)
        self.assertEqual(verdict, "GROWS")
        self.assertIn("RSS", why)

    def test_growth_inside_the_band_is_flat_and_just_past_it_is_not(self):
        base = 100.0
        limit = base * (1 + soak.RSS_GROWTH) + soak.RSS_SLACK_KIB / 1024
        inside = [base] * 10 + [limit - 0.5]
        outside = [base] * 10 + [limit + 0.5]
        self.assertEqual(soak.judge_instance(series(inside, [3] * 11), 0)[0], "flat")
        self.assertEqual(soak.judge_instance(series(outside, [3] * 11), 0)[0], "GROWS")

    def test_leaking_descriptors_fail_even_with_flat_memory(self):
        other = [14] * 10 + [14 + i for i in range(1, 11)]
        verdict, why = soak.judge_instance(series([12] * 20, other), warmup_s=0)
        self.assertEqual(verdict, "GROWS")
        self.assertIn("fds", why)

    def test_connections_coming_and_going_are_not_a_leak(self):
        # other_fds stays; total fds swing with connections (series() adds 20; vary it here).
        samples = [(i * 5.0, 12 * MIB, 20 + (i % 7) * 10, 14) for i in range(30)]
        self.assertEqual(soak.judge_instance(samples, warmup_s=0)[0], "flat")

    def test_too_few_samples_after_the_warm_up_are_not_judged(self):
        verdict, _ = soak.judge_instance(series([10, 50, 90, 130], [1, 9, 19, 29]), warmup_s=10)
        self.assertEqual(verdict, "short")


class Schedule(unittest.TestCase):
    def test_thirty_minutes_repeat_the_cycle_and_leave_a_quiet_tail(self):
        warmup, tail, period, actions = soak.plan_timeline(1800)
        self.assertEqual((warmup, tail, period), (60, 30, 60))
        kinds = [a.split(":")[0] for _, a in actions]
        self.assertEqual(kinds.count("restart"), 28)
        self.assertEqual(kinds.count("restart_redis"), 28)
        self.assertEqual(kinds.count("stop"), kinds.count("cont"))
        self.assertEqual(kinds.count("fault"), kinds.count("clear_fault"))
        self.assertTrue(all(warmup <= at <= 1800 - tail for at, _ in actions))
        self.assertEqual([at for at, _ in actions], sorted(at for at, _ in actions))

    def test_a_short_soak_still_gets_one_of_each_fault(self):
        _, _, _, actions = soak.plan_timeline(20)
        kinds = sorted(a.split(":")[0] for _, a in actions)
        self.assertEqual(kinds, ["clear_fault", "cont", "fault", "restart", "restart_redis",
                                 "stop"])

    def test_durations(self):
        self.assertEqual(soak.parse_duration("30m"), 1800)
        self.assertEqual(soak.parse_duration("20s"), 20)
        self.assertEqual(soak.parse_duration("90"), 90)
        self.assertEqual(soak.parse_duration("1h"), 3600)
        for bad in ("", "m", "-5s", "0", "5x"):
            with self.assertRaises(ValueError):
                soak.parse_duration(bad)

    def test_the_scenario_has_resume_on_and_expects_nothing_lost(self):
        text = soak.scenario_yaml("soak", 20, 600, 30, soak.plan_timeline(20)[3])
        self.assertIn("resume: true", text)
        self.assertIn("lost: 0", text)
        self.assertIn("duplicates: 0", text)
        self.assertIn("publish_rate_hz: 20.0000", text)


def run_short(build):
    with tempfile.TemporaryDirectory(prefix="soak-test-") as out:
        proc = subprocess.run([sys.executable, SOAK, "20s", "--build", build, "--out", out],
                              capture_output=True, text=True, timeout=240)
        print(proc.stdout)
        print(proc.stderr, file=sys.stderr)
        ok = proc.returncode == 0
        for want in (r"SOAK PASSED", r"\nrelay-2 +1 ", r"\nbalancer +1 ", r"\nredis +2 ",
                     r"lost 0, duplicates 0"):
            if not re.search(want, proc.stdout):
                print(f"soak_test: missing {want!r} in the output", file=sys.stderr)
                ok = False
        # The engine stopped its whole cluster itself: the script found nothing left to kill.
        if "killed leftover" in proc.stderr:
            print("soak_test: the run left processes behind", file=sys.stderr)
            ok = False
        return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "run":
        sys.exit(run_short(sys.argv[2]))
    if len(sys.argv) >= 2 and sys.argv[1] == "unit":
        sys.argv = sys.argv[:1]
    unittest.main()
