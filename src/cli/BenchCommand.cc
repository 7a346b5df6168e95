// scaleml bench: runs a suite (quick, paper, scaling or promises), appends every run to
// DIR/results.jsonl and writes DIR/report.md with its tables and figures at the end.
#include <cstdio>
#include <memory>

#include "bench/BenchRunner.h"
#include "bench/ReportWriter.h"
#include "cli/Commands.h"
#include "cli/OptionChecks.h"

namespace scaleml::cli {

void RegisterBench(CLI::App& app) {
  auto options = std::make_shared<bench::BenchOptions>();
  auto* command = app.add_subcommand(
      "bench",
      "Run a benchmark suite: every run its own process, results in DIR/results.jsonl, "
      "tables and figures in DIR/report.md");
  command
      ->add_option("--suite", options->suite,
                   "quick, paper, scaling or promises (fault runs: a ddp rank and a tasks "
                   "worker killed mid-run)")
      ->capture_default_str();
  command->add_option("--out", options->out_dir, "Results folder (default: bench-results/SUITE)");
  command->add_option("--engines", options->engines, "Engines: local,tasks,ddp")->delimiter(',');
  command->add_option("--algos", options->algos, "Algorithms: gbdt,xgboost,logreg,rf,knn")
      ->delimiter(',');
  command
      ->add_option("--sizes", options->sizes,
                   "Data sizes: 1GB (5,000,000 rows), 500MB, 100k or a row count")
      ->delimiter(',');
  command->add_option("--threads", options->threads, "Threads per run (0 = all cores)")
      ->check(ThreadCount())
      ->capture_default_str();
  command->add_option("--ranks", options->ranks, "ddp ranks (0: quick 2, paper 3)")
      ->check(CountIn(0, kMaxThreads))
      ->capture_default_str();
  command->add_option("--trials", options->trials, "tasks trials (the paper: 2)")
      ->check(CountIn(1, kMaxThreads))
      ->capture_default_str();
  command
      ->add_option("--max-ranks", options->max_ranks,
                   "scaling: ranks and trials 1..N (0: the cores, at least 2)")
      ->check(CountIn(0, kMaxThreads))
      ->capture_default_str();
  command->add_flag("--resume", options->resume, "Skip the runs already in results.jsonl");
  command
      ->add_option(
          "--timeout", options->timeout_s,
          "Seconds per run before it is killed (0: quick 300; paper and scaling 120 + 30 per "
          "million rows, Python peers 120 + 90 per million rows)")
      ->capture_default_str();
  command
      ->add_option("--peer-timeout", options->peer_timeout_s,
                   "Seconds per Python or torch-ddp peer run before it is killed (0: as "
                   "--timeout). A peer out of time or memory at a smaller size is not run again "
                   "at a larger one: it is recorded as skipped")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command
      ->add_option("--peer-history", options->peer_history,
                   "Earlier results (a results.jsonl or a bench folder; comma separated) whose "
                   "peer timeouts and out-of-memory runs also skip the peer at larger sizes")
      ->delimiter(',');
  auto problem = std::make_shared<std::string>("per-chunk");
  command
      ->add_option("--problem", *problem,
                   "per-chunk (the paper's data: one problem per 300,000-row chunk) or one (one "
                   "problem for the whole file)")
      ->capture_default_str();
  command->add_flag("--no-peers", options->no_peers, "Do not run the Python peer");
  command->add_flag("--no-report", options->no_report, "Do not write report.md at the end");
  command->add_option("--data-dir", options->data_dir,
                      "Cached datasets (default: $SCALEML_BENCH_DATA or DIR/../bench-datasets)");
  command->add_option("--python", options->python, "The Python of the peer")->capture_default_str();
  command->callback([options, problem] {
    options->problem = bench::ParseDataProblem(*problem);
    bench::BenchRunner runner(*options);
    const bench::SuiteSummary summary = runner.Run();
    std::fprintf(stderr,
                 "%d runs: %d ok, %d failed, %d timeout, %d out of memory, %d skipped, %d done "
                 "before; %.1f s\n",
                 summary.planned, summary.ok, summary.failed, summary.timed_out,
                 summary.out_of_memory, summary.skipped, summary.resumed, summary.wall_s);
    if (!options->no_report) {
      std::printf("report: %s\n", bench::WriteReport(runner.out_dir()).c_str());
    }
  });
}

}  // namespace scaleml::cli
