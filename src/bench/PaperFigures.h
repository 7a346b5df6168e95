// The figures the paper published, in one place. Source: "Python Scaling Frameworks for Big Data
// Analysis and Machine Learning: A Comparison of Ray and PyTorch", its table of results, as
// transcribed in the project DESIGN.md ("The paper's experiment"): wall seconds and test accuracy
// at "1GB" (5,000,000 rows) and "2GB" (10,000,000 rows). Its Ray timer excludes loading the CSV,
// its PyTorch timer includes it. Thread-safety: constant data.
#pragma once

#include <optional>
#include <string>

namespace scaleml::bench {

struct PaperFigure {
  const char* algo;  // scaleml's name for the algorithm
  const char* name;  // the paper's name
  const char* size;  // "1GB" or "2GB"
  double ray_s;      // Ray Tune, 2 trials
  double pytorch_s;  // PyTorch, 3 nodes
  double accuracy;
};

inline constexpr PaperFigure kPaperFigures[] = {
    {"gbdt", "LightGBM", "1GB", 21.47, 94.1, 0.84},
    {"gbdt", "LightGBM", "2GB", 42.3, 168.5, 0.77},
    {"xgboost", "XGBoost", "1GB", 23.0, 57.7, 0.897},
    {"xgboost", "XGBoost", "2GB", 49.7, 145.1, 0.838},
    {"logreg", "Logistic regression", "1GB", 5.22, 80.98, 0.58},
    {"logreg", "Logistic regression", "2GB", 10.0, 116.7, 0.53},
    {"rf", "Random forest", "1GB", 480.3, 186.5, 0.96},
    {"rf", "Random forest", "2GB", 1328.2, 425.7, 0.95},
    {"knn", "KNN", "1GB", 296.3, 219.45, 0.96},
    {"knn", "KNN", "2GB", 744.3, 519.5, 0.96},
};

inline std::optional<PaperFigure> FindPaperFigure(const std::string& algo,
                                                  const std::string& size) {
  for (const auto& f : kPaperFigures) {
    if (algo == f.algo && size == f.size) return f;
  }
  return std::nullopt;
}

}  // namespace scaleml::bench
