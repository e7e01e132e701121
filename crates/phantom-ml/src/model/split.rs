//! Seeded train / validation splits, stratified by class for classification.

use rand::seq::SliceRandom;

use super::Target;
use crate::{MlError, rng};

/// Splits rows `0..n_rows` into (train, validation) with `fraction` of the rows (rounded) in
/// validation, drawn with `seed`. For class targets each class is split on its own, so both
/// parts keep the class proportions and every class with at least two rows appears in training
/// and validation; a class (or a whole target) of one row stays in training. A fraction of 0
/// gives an empty validation part.
pub fn train_validation(
    n_rows: usize,
    target: &Target,
    fraction: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>), MlError> {
    if !(0.0..1.0).contains(&fraction) {
        return Err(MlError::InvalidParameter {
            name: "validation_split",
            reason: format!("must be at least 0 and below 1, got {fraction}"),
        });
    }
    let mut rng = rng::seeded(seed);
    let groups: Vec<Vec<usize>> = match target {
        Target::Classes { y, names } => {
            let mut groups = vec![Vec::new(); names.len()];
            for (row, &class) in y.iter().enumerate() {
                if let Some(group) = groups.get_mut(class as usize) {
                    group.push(row);
                }
            }
            groups
        }
        Target::Values(_) | Target::Anomalies(_) | Target::None => vec![(0..n_rows).collect()],
    };
    let mut train = Vec::with_capacity(n_rows);
    let mut validation = Vec::new();
    for mut group in groups {
        group.shuffle(&mut rng);
        // A group of one row stays in training: held out, the model would never see it.
        let n_validation = if group.len() < 2 {
            0
        } else {
            let wanted = (group.len() as f64 * fraction).round() as usize;
            let at_least = usize::from(fraction > 0.0);
            wanted.clamp(at_least, group.len() - 1)
        };
        validation.extend_from_slice(&group[..n_validation]);
        train.extend_from_slice(&group[n_validation..]);
    }
    if train.is_empty() {
        return Err(MlError::EmptyData(
            "no rows left for training after the validation split",
        ));
    }
    train.sort_unstable();
    validation.sort_unstable();
    Ok((train, validation))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::ClassNames;

    fn classes(y: Vec<u32>, k: usize) -> Target {
        Target::Classes {
            y,
            names: ClassNames::new((0..k).map(|i| i.to_string()).collect()),
        }
    }

    #[test]
    fn stratified_split_keeps_rare_classes_on_both_sides() {
        let mut y = vec![0u32; 98];
        y.extend([1, 1]);
        let (train, validation) = train_validation(100, &classes(y.clone(), 2), 0.2, 1).unwrap();
        assert_eq!(validation.len(), 21);
        assert!(validation.iter().any(|&r| y[r] == 1));
        assert!(train.iter().any(|&r| y[r] == 1));
    }

    #[test]
    fn zero_fraction_keeps_everything_for_training() {
        let (train, validation) = train_validation(5, &Target::None, 0.0, 1).unwrap();
        assert_eq!((train, validation.len()), (vec![0, 1, 2, 3, 4], 0));
    }

    #[test]
    fn a_single_row_stays_in_training() {
        let (train, validation) = train_validation(1, &Target::None, 0.6, 1).unwrap();
        assert_eq!((train, validation.len()), (vec![0], 0));
        let (train, validation) =
            train_validation(5, &classes(vec![0, 0, 0, 0, 1], 2), 0.5, 1).unwrap();
        assert!(train.contains(&4) && !validation.contains(&4));
    }

    #[test]
    fn bad_fraction_is_rejected() {
        assert!(train_validation(5, &Target::None, 1.0, 1).is_err());
        assert!(train_validation(5, &Target::None, -0.1, 1).is_err());
    }

    proptest! {
        #[test]
        fn split_is_a_seeded_partition(n in 1usize..300, fraction in 0.0f64..0.9, seed in any::<u64>()) {
            let (train, validation) = train_validation(n, &Target::None, fraction, seed).unwrap();
            let mut all: Vec<usize> = train.iter().chain(&validation).copied().collect();
            all.sort_unstable();
            prop_assert_eq!(all, (0..n).collect::<Vec<_>>());
            prop_assert_eq!(train_validation(n, &Target::None, fraction, seed).unwrap(), (train, validation));
        }
    }
}
