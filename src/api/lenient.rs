//! JSON read leniently and in bounded memory: the building blocks of `wire`'s shapes.
//!
//! Leniently: every field may be missing, null or of another type than expected; such a field
//! reads as absent instead of failing the whole answer (the contract says every field may be
//! missing; a number may come as a string). In bounded memory: unknown fields and values of an
//! unexpected type are skipped as they are read (serde's `IgnoredAny`), never built into a
//! tree, and lists keep a bounded number of items. A `serde_json::Value` of a 64 MiB answer of
//! tiny values takes gigabytes; these types take about the answer's own size at most.
//!
//! Boundary: deserialization only; what a missing field means is `wire`'s decision.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// One JSON value reduced to what `wire` uses: a string, a number (as written), a boolean, or
/// anything else (skipped without being kept).
#[derive(Debug, Clone, PartialEq)]
enum Scalar {
    Str(String),
    Number(serde_json::Number),
    Bool(bool),
    Other,
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;

        impl<'de> Visitor<'de> for ScalarVisitor {
            type Value = Scalar;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }

            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Str(v.to_string()))
            }

            fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar::Str(v))
            }

            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v.into()))
            }

            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v.into()))
            }

            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(serde_json::Number::from_f64(v).map_or(Scalar::Other, Scalar::Number))
            }

            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }

            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Other)
            }

            fn visit_none<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Other)
            }

            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
                Scalar::deserialize(d)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }
        }

        deserializer.deserialize_any(ScalarVisitor)
    }
}

/// A string; absent when the value is anything else.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Str(pub Option<String>);

impl<'de> Deserialize<'de> for Str {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Str(match Scalar::deserialize(d)? {
            Scalar::Str(s) => Some(s),
            _ => None,
        }))
    }
}

/// A number, or a string that holds one (the API sends prices as strings).
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Num(pub Option<f64>);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Num(match Scalar::deserialize(d)? {
            Scalar::Number(n) => n.as_f64(),
            Scalar::Str(s) => s.trim().parse().ok(),
            _ => None,
        }))
    }
}

/// A boolean.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Bool(pub Option<bool>);

impl<'de> Deserialize<'de> for Bool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Bool(match Scalar::deserialize(d)? {
            Scalar::Bool(b) => Some(b),
            _ => None,
        }))
    }
}

/// A string or a number, as text (`"invalid_prompt"`, `401`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Code(pub Option<String>);

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Code(match Scalar::deserialize(d)? {
            Scalar::Str(s) => Some(s),
            Scalar::Number(n) => Some(n.to_string()),
            _ => None,
        }))
    }
}

/// An object read as `T`; absent when the value is not an object.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Obj<T>(pub Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjVisitor<T> {
            type Value = Obj<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| Obj(Some(t)))
            }

            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Obj<T>, D::Error> {
                Obj::deserialize(d)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Obj<T>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Obj(None))
            }

            fn visit_str<E>(self, _: &str) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }

            fn visit_u64<E>(self, _: u64) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }

            fn visit_i64<E>(self, _: i64) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }

            fn visit_f64<E>(self, _: f64) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }

            fn visit_bool<E>(self, _: bool) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }

            fn visit_unit<E>(self) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }

            fn visit_none<E>(self) -> Result<Obj<T>, E> {
                Ok(Obj(None))
            }
        }

        deserializer.deserialize_any(ObjVisitor(PhantomData))
    }
}

/// An array of at most `MAX` items read as `T` (the rest are skipped, and `more` says so);
/// absent when the value is not an array.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct List<T, const MAX: usize> {
    pub items: Option<Vec<T>>,
    /// Items beyond `MAX` were skipped.
    pub more: bool,
}

impl<T, const MAX: usize> Default for List<T, MAX> {
    fn default() -> Self {
        List {
            items: None,
            more: false,
        }
    }
}

impl<'de, T: Deserialize<'de>, const MAX: usize> Deserialize<'de> for List<T, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor<T, const MAX: usize>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>, const MAX: usize> Visitor<'de> for ListVisitor<T, MAX> {
            type Value = List<T, MAX>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T, MAX>, A::Error> {
                let mut items = Vec::new();
                let mut more = false;
                while items.len() < MAX {
                    match seq.next_element::<T>()? {
                        Some(item) => items.push(item),
                        None => {
                            return Ok(List {
                                items: Some(items),
                                more,
                            })
                        }
                    }
                }
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    more = true;
                }
                Ok(List {
                    items: Some(items),
                    more,
                })
            }

            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<List<T, MAX>, D::Error> {
                List::deserialize(d)
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<List<T, MAX>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(List::default())
            }

            fn visit_str<E>(self, _: &str) -> Result<List<T, MAX>, E> {
                Ok(List::default())
            }

            fn visit_u64<E>(self, _: u64) -> Result<List<T, MAX>, E> {
                Ok(List::default())
            }

            fn visit_i64<E>(self, _: i64) -> Result<List<T, MAX>, E> {
                Ok(List::default())
            }

            fn visit_f64<E>(self, _: f64) -> Result<List<T, MAX>, E> {
                Ok(List::default())
            }

            fn visit_bool<E>(self, _: bool) -> Result<List<T, MAX>, E> {
                Ok(List::default())
            }

            fn visit_unit<E>(self) -> Result<List<T, MAX>, E> {
                Ok(List::default())
            }

            fn visit_none<E>(self) -> Result<List<T, MAX>, E> {
                Ok(List::default())
            }
        }

        deserializer.deserialize_any(ListVisitor::<T, MAX>(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, serde::Deserialize)]
    #[serde(default)]
    struct Shape {
        s: Str,
        n: Num,
        b: Bool,
        c: Code,
        o: Obj<Inner>,
        l: List<Str, 2>,
    }

    #[derive(Debug, Default, serde::Deserialize)]
    #[serde(default)]
    struct Inner {
        s: Str,
    }

    fn read(json: &str) -> Shape {
        serde_json::from_str::<Obj<Shape>>(json)
            .unwrap()
            .0
            .unwrap_or_default()
    }

    #[test]
    fn fields_of_the_wrong_type_read_as_absent() {
        let wrong = read(r#"{"s": 1, "n": [1], "b": "yes", "c": {}, "o": "x", "l": {"a": 1}}"#);
        assert_eq!(wrong.s, Str(None));
        assert_eq!(wrong.n, Num(None));
        assert_eq!(wrong.b, Bool(None));
        assert_eq!(wrong.c, Code(None));
        assert!(wrong.o.0.is_none());
        assert_eq!(wrong.l.items, None);
        let missing = read(r#"{"unknown": {"deep": [1, {"x": null}]}}"#);
        assert_eq!(missing.s, Str(None));
        assert!(serde_json::from_str::<Obj<Shape>>("[1, 2]")
            .unwrap()
            .0
            .is_none());
    }

    #[test]
    fn values_of_the_right_type_are_read() {
        let right = read(
            r#"{"s": "x", "n": "0.5", "b": true, "c": 401, "o": {"s": "in"}, "l": ["a", 1, "b", "c"]}"#,
        );
        assert_eq!(right.s, Str(Some("x".into())));
        assert_eq!(right.n, Num(Some(0.5)));
        assert_eq!(right.b, Bool(Some(true)));
        assert_eq!(right.c, Code(Some("401".into())));
        assert_eq!(right.o.0.unwrap().s, Str(Some("in".into())));
        let items = right.l.items.unwrap();
        assert_eq!(items, [Str(Some("a".into())), Str(None)]);
        assert!(
            right.l.more,
            "items past the limit are skipped, and said so"
        );
        assert_eq!(read(r#"{"n": 3}"#).n, Num(Some(3.0)));
        assert_eq!(
            read(r#"{"c": "invalid_prompt"}"#).c,
            Code(Some("invalid_prompt".into()))
        );
    }

    #[test]
    fn invalid_json_is_still_an_error() {
        assert!(serde_json::from_str::<Obj<Shape>>("<html>").is_err());
        assert!(serde_json::from_str::<Obj<Shape>>(r#"{"s": "x""#).is_err());
    }
}
