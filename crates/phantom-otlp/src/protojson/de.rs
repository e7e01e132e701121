//! `deserialize_with` functions for scalar and repeated fields. Every one accepts `null` as the
//! field's default, as the proto3 JSON mapping requires.

use std::fmt;

use ::base64::Engine as _;
use ::base64::alphabet;
use ::base64::engine::DecodePaddingMode;
use ::base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use serde::de::{self, Deserialize, Deserializer, Visitor};

use crate::proto::logs::SEVERITY_NAMES;
use crate::proto::metrics::AGGREGATION_TEMPORALITY_NAMES;
use crate::proto::trace::{SPAN_KIND_NAMES, STATUS_CODE_NAMES};

/// A repeated field: a JSON array, or `null` for none.
pub(crate) fn vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// A string field.
pub(crate) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// A bool field.
pub(crate) fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(d)?.unwrap_or_default())
}

/// A `fixed64` / `uint64` field: a decimal string or a number.
pub(crate) fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Int::deserialize(d)?.convert("an unsigned 64-bit integer")
}

/// An `int64` / `sfixed64` field: a decimal string or a number.
pub(crate) fn i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Int::deserialize(d)?.convert("a signed 64-bit integer")
}

/// A `uint32` / `fixed32` field.
pub(crate) fn u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    Int::deserialize(d)?.convert("an unsigned 32-bit integer")
}

/// An `int32` / `sint32` field.
pub(crate) fn i32<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    Int::deserialize(d)?.convert("a signed 32-bit integer")
}

/// A `double` field: a number, or a string holding one, `NaN`, `Infinity` or `-Infinity`.
pub(crate) fn f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(F64::deserialize(d)?.0)
}

/// An `optional double` field: absent or `null` is `None`.
pub(crate) fn optional_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(Option::<F64>::deserialize(d)?.map(|v| v.0))
}

/// A `repeated fixed64` / `repeated uint64` field.
pub(crate) fn u64s<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
    vec::<D, Int>(d)?
        .into_iter()
        .map(|v| v.convert("an unsigned 64-bit integer"))
        .collect()
}

/// A `repeated double` field.
pub(crate) fn f64s<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    Ok(vec::<D, F64>(d)?.into_iter().map(|v| v.0).collect())
}

/// A trace or span id: a hex string (OTLP/JSON's exception to the base64 of `bytes`).
pub(crate) fn hex<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    d.deserialize_any(HexVisitor)
}

/// A `bytes` field other than an id: base64, standard or URL-safe, padded or not.
pub(crate) fn base64<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    d.deserialize_any(Base64Visitor)
}

/// A `SeverityNumber`.
pub(crate) fn severity_number<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    d.deserialize_any(EnumVisitor {
        prefix: "SEVERITY_NUMBER_",
        names: &SEVERITY_NAMES,
    })
}

/// A `Span.SpanKind`.
pub(crate) fn span_kind<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    d.deserialize_any(EnumVisitor {
        prefix: "SPAN_KIND_",
        names: &SPAN_KIND_NAMES,
    })
}

/// A `Status.StatusCode`.
pub(crate) fn status_code<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    d.deserialize_any(EnumVisitor {
        prefix: "STATUS_CODE_",
        names: &STATUS_CODE_NAMES,
    })
}

/// An `AggregationTemporality`.
pub(crate) fn aggregation_temporality<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    let names = &AGGREGATION_TEMPORALITY_NAMES;
    d.deserialize_any(EnumVisitor {
        prefix: "AGGREGATION_TEMPORALITY_",
        names,
    })
}

/// Any integer, from a number (integral floats included) or a decimal string; `null` is 0.
pub(crate) struct Int(i128);

impl Int {
    /// Narrows to the field's type, or says which type the value does not fit.
    pub(crate) fn convert<T: TryFrom<i128>, E: de::Error>(self, what: &str) -> Result<T, E> {
        T::try_from(self.0).map_err(|_| E::custom(format!("{} is out of range for {what}", self.0)))
    }
}

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IntVisitor)
    }
}

struct IntVisitor;

impl<'de> Visitor<'de> for IntVisitor {
    type Value = Int;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an integer, as a number or a decimal string")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Int, E> {
        Ok(Int(i128::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Int, E> {
        Ok(Int(i128::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Int, E> {
        integral(v).ok_or_else(|| E::custom(format!("{v} is not an integer")))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Int, E> {
        match v.parse::<i128>() {
            Ok(n) => Ok(Int(n)),
            Err(_) => v
                .parse::<f64>()
                .ok()
                .and_then(integral)
                .ok_or_else(|| E::custom(format!("\"{v}\" is not an integer"))),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Int, E> {
        Ok(Int(0))
    }
}

/// An integral float (`1e3`, `5.0`) as an integer; the proto3 JSON mapping allows them.
fn integral(v: f64) -> Option<Int> {
    // 2^127 as f64: anything at or past it does not fit an i128.
    const LIMIT: f64 = 1.7014118346046923e38;
    (v.fract() == 0.0 && v.abs() < LIMIT).then_some(Int(v as i128))
}

/// Any float, from a number or a string; `null` is 0.
pub(crate) struct F64(pub(crate) f64);

impl<'de> Deserialize<'de> for F64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(F64Visitor)
    }
}

struct F64Visitor;

impl<'de> Visitor<'de> for F64Visitor {
    type Value = F64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number, or a string holding one, \"NaN\", \"Infinity\" or \"-Infinity\"")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<F64, E> {
        Ok(F64(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<F64, E> {
        Ok(F64(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<F64, E> {
        Ok(F64(v as f64))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<F64, E> {
        match v {
            "NaN" => Ok(F64(f64::NAN)),
            "Infinity" => Ok(F64(f64::INFINITY)),
            "-Infinity" => Ok(F64(f64::NEG_INFINITY)),
            _ => match v.parse::<f64>() {
                Ok(n) if n.is_finite() => Ok(F64(n)),
                Ok(_) | Err(_) => Err(E::custom(format!("\"{v}\" is not a number"))),
            },
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<F64, E> {
        Ok(F64(0.0))
    }
}

struct HexVisitor;

impl<'de> Visitor<'de> for HexVisitor {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a hex string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<u8>, E> {
        ::hex::decode(v).map_err(|e| {
            E::custom(format!(
                "\"{v}\" is not a hex id ({e}); OTLP/JSON writes ids in hex"
            ))
        })
    }

    fn visit_unit<E: de::Error>(self) -> Result<Vec<u8>, E> {
        Ok(Vec::new())
    }
}

struct Base64Visitor;

impl<'de> Visitor<'de> for Base64Visitor {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a base64 string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<u8>, E> {
        const LENIENT: GeneralPurposeConfig =
            GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
        const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
        const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);
        STANDARD
            .decode(v)
            .or_else(|_| URL_SAFE.decode(v))
            .map_err(|e| E::custom(format!("\"{v}\" is not base64 ({e})")))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Vec<u8>, E> {
        Ok(Vec::new())
    }
}

/// An enum: its number, or its name (`SEVERITY_NUMBER_INFO`); `null` is 0. Numbers without a
/// name are kept, as proto3 enums are open.
struct EnumVisitor {
    prefix: &'static str,
    names: &'static [&'static str],
}

impl<'de> Visitor<'de> for EnumVisitor {
    type Value = i32;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an enum number, or a name starting with {}", self.prefix)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i32, E> {
        Int(i128::from(v)).convert("an enum")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i32, E> {
        Int(i128::from(v)).convert("an enum")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i32, E> {
        IntVisitor.visit_f64(v)?.convert("an enum")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<i32, E> {
        let found = v
            .strip_prefix(self.prefix)
            .and_then(|short| self.names.iter().position(|name| *name == short));
        match found {
            Some(index) => Int(index as i128).convert("an enum"),
            None => Err(E::custom(format!(
                "\"{v}\" is not a known {}* name; OTLP/JSON writes enums as integers",
                self.prefix
            ))),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<i32, E> {
        Ok(0)
    }
}
