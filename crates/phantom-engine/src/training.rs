//! One training run, synchronous: split, fit, evaluate on both parts, serialise. Runs on a
//! blocking thread, never on the async runtime.

use std::time::Instant;

use phantom_ml::Progress;
use phantom_ml::model::{Hyperparameters, Target, split};

use crate::EngineError;
use crate::data::LoadedData;
use crate::registry::info::{VersionMetadata, VersionOrigin, finite_metrics};
use crate::settings::ModelSettings;

/// A trained model with its serialised form and metadata, ready to store.
pub(crate) struct TrainedVersion {
    pub(crate) artifact: Vec<u8>,
    pub(crate) metadata: VersionMetadata,
}

/// Fits `settings` on `data` with its `target` (built when the data was read), holding out
/// `settings.validation_split` of the rows (stratified for classification) to compute
/// validation metrics.
pub(crate) fn fit_version(
    settings: &ModelSettings,
    data: &LoadedData,
    target: &Target,
    progress: &dyn Progress,
) -> Result<TrainedVersion, EngineError> {
    let seed = settings.hyperparameters.seed();
    let (train_rows, validation_rows) =
        split::train_validation(data.x.n_rows(), target, settings.validation_split, seed)?;
    let train_x = data.x.select_rows(&train_rows);
    let train_target = target.select(&train_rows);
    let spec = settings.spec();
    let started = Instant::now();
    let model = spec.fit(&train_x, &train_target, &data.feature_names, progress)?;
    let training_time_ms = started.elapsed().as_secs_f64() * 1e3;
    let training_metrics = finite_metrics(model.evaluate(&train_x, &train_target)?);
    let validation_metrics = if validation_rows.is_empty() {
        Default::default()
    } else {
        finite_metrics(model.evaluate(
            &data.x.select_rows(&validation_rows),
            &target.select(&validation_rows),
        )?)
    };
    let artifact = model.to_bytes()?;
    let metadata = VersionMetadata {
        algorithm: settings.algorithm,
        task: settings.task,
        hyperparameters: Hyperparameters {
            seed: Some(seed),
            ..settings.hyperparameters.clone()
        },
        scaling: settings.scaling,
        feature_names: data.feature_names.clone(),
        classes: model.class_names().as_slice().to_vec(),
        training_metrics,
        validation_metrics,
        training_time_ms: Some(training_time_ms),
        training_rows: Some(train_rows.len()),
        validation_rows: Some(validation_rows.len()),
        feature_importance: model.feature_importance(),
        origin: VersionOrigin::Trained,
    };
    Ok(TrainedVersion { artifact, metadata })
}
