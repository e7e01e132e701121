// The JSON shapes of PhantomMLCore's methods. Every method takes JSON strings (or the values
// themselves) and resolves to a JSON string: parse it with JSON.parse and read it as the
// `...Response` type below. Generated declarations of the class are in index.d.ts.

/** A class label as given in training (numbers stay numbers), a regression value or cluster
 *  index, or an anomaly flag. */
export type Predicted = number | string | boolean;

/** A setting accepted for compatibility but not used, and why. */
export interface IgnoredSetting { setting: string; reason: string }

export type Task = 'classification' | 'regression' | 'anomaly_detection' | 'clustering';
export type Algorithm =
  | 'decision_tree' | 'random_forest' | 'gradient_boosting' | 'logistic_regression'
  | 'linear_regression' | 'neural_network' | 'isolation_forest' | 'kmeans';

/** `new PhantomMLCore(options)`. */
export interface PhantomOptions {
  data_dir?: string;
  database_url?: string;
  redis_url?: string;
  config_file?: string;
  inference_log?: { enabled?: boolean; sample_rate?: number; queue_capacity?: number };
  max_concurrent_trainings?: number;
  tenant?: string;
}

/** `initialize_databases(config)`. */
export interface DatabaseConfig {
  postgresql_uri?: string;
  redis_url?: string;
  mongodb_uri?: string;
  elasticsearch_url?: string;
  model_storage?: string; inference_storage?: string; training_storage?: string;
  cache_storage?: string; search_storage?: string;
}
export interface BackendStatus {
  status: 'connected' | 'error' | 'not_configured' | 'not_supported';
  backend?: string; error?: string; message?: string;
}
export interface DatabaseResponse {
  postgresql: BackendStatus; redis: BackendStatus; mongodb: BackendStatus; elasticsearch: BackendStatus;
  storage_backend: 'sqlite' | 'postgres'; prediction_cache: boolean;
  storage_preferences: Record<string, { requested: string; used: string }>;
}

/** `create_model(config)`: only model_type, algorithm and feature_config.input_features are
 *  needed. Phantom's own keys (task, feature_names, scaling, validation_split, label) work too. */
export interface CreateModelConfig {
  name?: string;
  description?: string;
  model_type?: Task;
  algorithm: Algorithm;
  hyperparameters?: Record<string, unknown>;
  feature_config?: {
    input_features?: string[];
    normalization?: boolean;
    scaling_method?: 'min_max' | 'z_score' | 'standard' | 'robust' | 'unit_vector' | 'none';
    engineered_features?: string[];
    feature_selection?: boolean;
  };
  training_config?: {
    validation_split?: number; epochs?: number; learning_rate?: number;
    early_stopping?: boolean; batch_size?: number; cross_validation?: boolean;
  };
  label?: string;
}

/** A model as list_models, create_model and the lifecycle methods answer it. */
export interface ModelSummary {
  model_id: string;
  name: string;
  model_type: Task;
  algorithm: Algorithm;
  status: 'created' | 'trained' | 'archived';
  version: number | null;
  version_count: number;
  feature_count: number | null;
  created_at: string;
  updated_at: string;
  last_trained?: string;
  metrics_source?: 'validation' | 'training';
  accuracy?: number; precision?: number; recall?: number; f1_score?: number; roc_auc?: number;
  r2?: number; rmse?: number; mae?: number; silhouette?: number; inertia?: number; anomaly_rate?: number;
}
export interface CreateModelResponse extends ModelSummary {
  feature_names: string[] | null;
  ignored_settings: IgnoredSetting[];
}

/** `train_model(model_id, data)`. */
export type TrainingData =
  | { features: number[][]; labels?: Predicted[] }
  | { path: string; label?: string };
export interface TrainResponse {
  model_id: string; version: number; job_id: string; status: 'trained';
  algorithm: Algorithm; model_type: Task;
  /** Classification only; validation_accuracy is null without validation rows. */
  training_accuracy?: number | null; validation_accuracy?: number | null;
  /** log_loss (classification) or mse (regression); absent for unsupervised tasks. */
  loss_function?: 'log_loss' | 'mse';
  training_loss?: number | null; validation_loss?: number | null;
  training_time_ms: number;
  /** neural_network only. */
  epochs_completed?: number;
  training_samples: number; validation_samples: number; samples_processed: number;
  training_metrics: Record<string, number>; validation_metrics: Record<string, number>;
  feature_importance: Record<string, number>;
  classes: string[];
  ignored_settings: IgnoredSetting[];
}

export interface VersionSummary {
  version: number; active: boolean; created_at: string; algorithm: Algorithm;
  hyperparameters: Record<string, unknown>;
  training_metrics: Record<string, number>; validation_metrics: Record<string, number>;
  metrics_source: 'validation' | 'training'; training_time_ms: number | null;
  training_samples: number | null; origin: { kind: 'trained' | 'imported' | 'cloned' }; sha256: string;
}
export interface ModelInfoResponse extends ModelSummary {
  description: string | null; settings: Record<string, unknown>;
  feature_names?: string[]; classes?: string[]; hyperparameters?: Record<string, unknown>;
  training_samples?: number | null; validation_samples?: number | null;
  training_metrics?: Record<string, number>; validation_metrics?: Record<string, number>;
  training_time_ms?: number | null; feature_importance?: Record<string, number>;
  sha256?: string; size_bytes?: number; versions: VersionSummary[];
}
export interface ListModelsResponse { total_models: number; active_models: number; models: ModelSummary[] }
export interface DeleteModelResponse {
  success: true; deleted_model_id: string; model_name: string; versions_deleted: number; deleted_at: string;
}
export interface ValidateResponse {
  model_id: string; version: number; overall_valid: boolean; checks_passed: number; checks_total: number;
  checks: { name: string; passed: boolean; detail: string }[]; validation_time_ms: number;
}
export interface ExportResponse extends ModelSummary {
  export_format: 'phantomx'; export_size_bytes: number; sha256: string;
  /** base64, unless a path was given */
  export_data?: string; path?: string;
}
export type ImportRequest = { export_data: string; name?: string } | { path: string; name?: string };
export interface CloneResponse extends ModelSummary { original_model_id: string; cloned_model_id: string }
export interface CompareRequest { model_ids: (string | { model: string; version?: number })[]; data?: TrainingData }
export interface CompareResponse {
  models_compared: number;
  entries: { model_id: string; name: string; version: number; algorithm: Algorithm; task: Task;
    stored_metrics: Record<string, number>; evaluated_metrics: Record<string, number> | null }[];
  evaluated_rows: number | null;
  best: Record<string, { model_id: string; version: number; value: number }>;
}
export type OptimizeRequest = TrainingData & { trials?: number; metric?: string; validation_split?: number; seed?: number };
export interface OptimizeResponse {
  model_id: string; metric: string; higher_is_better: boolean;
  training_rows: number; validation_rows: number;
  baseline_version: number | null; baseline_score: number | null;
  trials: { hyperparameters: Record<string, unknown>; score: number | null;
    validation_metrics: Record<string, number>; training_time_ms: number | null; error: string | null }[];
  best_trial: number; kept: boolean; new_version: Record<string, unknown> | null;
  ignored_settings: IgnoredSetting[];
}

/** `predict(model_id, features, options?)`. */
export type PredictRequest = number[] | { features: number[] };
export interface PredictOptions { explain?: boolean }
export interface PredictResponse {
  model_id: string; version: number;
  prediction: Predicted;
  confidence: number | null;
  probability_distribution: number[] | null;
  classes: Predicted[] | null;
  anomaly_score: number | null; threshold: number | null;
  /** Per-feature contribution to this prediction (TreeSHAP or linear); null for models
   *  without per-row attributions or with { explain: false }. */
  feature_importance: Record<string, number> | null;
  feature_importance_method: 'tree_shap' | 'linear' | null;
  feature_importance_output: string | null;
  cached: boolean;
  inference_time_ms: number;
}
export type BatchRequest = number[][] | { samples: number[][]; sample_ids?: unknown[] };
export interface BatchResponse {
  model_id: string; version: number; total_predictions: number;
  throughput_per_second: number; elapsed_ms: number; classes: Predicted[];
  results: { sample_id?: unknown; prediction: Predicted; confidence: number | null;
    probability_distribution: number[] | null; anomaly_score: number | null }[];
}

/** `detect_anomalies(data, sensitivity?)`. */
export type SeriesRequest = number[] | { values: number[]; method?: 'robust' | 'trend' | { seasonal: { period: number } } };
export interface AnomaliesResponse {
  anomalies_detected: number;
  risk_level: 'low' | 'medium' | 'high' | 'critical';
  anomalies: { index: number; value: number; score: number; severity: string }[];
  statistical_metrics: { count: number; median: number; mad: number; scale_method: string;
    mean: number; std: number; threshold: number; method: unknown };
  total_points: number; anomaly_rate: number; sensitivity: number;
}

/** `engineer_features(raw, config?)`: one event (object) or many (array or { samples }). */
export interface FeatureConfig {
  field_types?: Record<string, 'text' | 'ip' | 'url' | 'domain' | 'timestamp'>;
  suspicious_keywords?: string[];
  scaling?: 'min_max' | 'z_score' | 'robust' | 'unit_vector';
  input_features?: string[];
  normalization?: boolean;
  scaling_method?: string;
}
export interface FeaturesResponse {
  feature_names: string[];
  /** one vector for one event; one per event for many */
  engineered_features: number[] | number[][];
  feature_count: number;
  issues: unknown[];
  samples_processed: number;
  processing_time_ms: number;
  ignored_settings: IgnoredSetting[];
}

/** Tables for the analytics: rows of objects, { names, columns }, { data_matrix, feature_names }. */
export type TableRequest =
  | Record<string, number | null>[]
  | { names: string[]; columns: (number | null)[][] }
  | { data_matrix: (number | null)[][]; feature_names?: string[] }
  | { rows: Record<string, number | null>[] };
export interface TrendResponse {
  count: number; direction: 'increasing' | 'decreasing' | 'flat'; slope: number; intercept: number;
  strength: number; slope_std_error: number; residual_std_error: number; forecast: number[];
}
export interface ColumnTrendsResponse { trend_summary: Record<string, TrendResponse>; skipped_columns: Record<string, string> }
export interface CorrelationResponse {
  names: string[]; pearson: (number | null)[][]; spearman: (number | null)[][];
  pairs: { feature_a: string; feature_b: string; n: number; pearson: number | null; spearman: number | null }[];
}
export interface SummaryResponse { rows: number; columns: Record<string, number | string | null>[] }
export interface QualityResponse {
  rows: number; duplicate_rows: number; total_cells: number; clean_cells: number; quality_score: number;
  columns: { name: string; missing: number; non_finite: number; constant: boolean; out_of_range: number }[];
}
export interface InsightsResponse {
  total_models: number; trained_models: number; archived_models: string[]; untrained_models: string[];
  best_by_task: Record<string, { model_id: string; name: string; version: number; metric: string; value: number; metrics_source: string }>;
  metric_changes: { model_id: string; name: string; from_version: number; to_version: number; metric: string;
    before: number; after: number; change: number; worse: boolean }[];
  stale_models: { model_id: string; name: string; last_trained: string; age_days: number }[];
  rolled_back_models: string[]; unused_since_start: string[]; insights: string[];
  ignored_settings: IgnoredSetting[];
}
export interface ImportanceResponse {
  model_id: string; version: number; method: string;
  feature_importance: { feature: string; importance: number }[]; ranking: string[];
}

export interface PerformanceStatsResponse {
  total_inferences: number; total_requests: number; total_errors: number;
  average_inference_time_ms: number; p50_inference_time_ms: number; p95_inference_time_ms: number;
  p99_inference_time_ms: number; average_batch_time_ms: number;
  total_trainings: number; failed_trainings: number;
  throughput_per_second: number; throughput_since_start_per_second: number; uptime_seconds: number;
  models: unknown[]; prediction_cache: unknown; inference_log: unknown;
}
export interface HealthResponse {
  system_health: 'healthy' | 'degraded' | 'unhealthy'; status: string; models_loaded: number;
  trainings_running: number; uptime_seconds: number; version: string;
  storage: { backend: string; reachable: boolean; latency_ms: number; error: string | null };
  redis: { backend: string; reachable: boolean; latency_ms: number; error: string | null } | null;
  process: Record<string, number | null>;
}
export interface HistoryResponse {
  model_id: string; total: number;
  records: { tenant: string; model_id: string; version: number; at: number; input: unknown; output: unknown; latency_us: number }[];
}
export interface BackupResponse {
  path: string; size_bytes: number; sha256: string; models: number; versions: number;
  /** Telemetry streams (with their detector state), anomalies and signed evidence bundles in the backup. */
  streams: number; anomalies: number; evidence_bundles: number;
  storage_backend: string; covers: string;
}
export interface RecoveryResponse {
  path: string; size_bytes: number; sha256: string; backup_created_at: string;
  models_restored: string[]; versions_restored: number;
  skipped: { model_id: string; name: string; reason: string }[];
  streams_restored: string[]; anomalies_restored: number;
  skipped_streams: { key: string; reason: string }[];
  evidence_restored: number; skipped_evidence: { id: string; reason: string }[];
}
