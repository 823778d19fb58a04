//! Stable hashes, a leaf every layer may use: [`stable_hash`] names what is
//! kept from one release to the next, [`binary_identity`] this program, and
//! [`hash_value`] hashes any serialisable value, fed straight from serde to a
//! hasher: what a page's template values hash to, to tell whether it must be
//! rendered again (`render::ServedPages`). Writing the values as JSON into
//! the hasher did the same at three times the cost (escaping, number
//! formatting) for 12,000 findings on every edit.
//!
//! Every value is written with a tag for its shape and lengths before its
//! items, so two different values of one type cannot feed the hasher the
//! same bytes. Struct field names are not hashed: only values of the same
//! type (one page's values before and after an edit) are ever compared.

use std::hash::{BuildHasher, Hasher};

use serde::ser::{self, Serialize};

/// The `Hash` of `value`, the same for equal values in every run, for
/// values that derive `Hash` (cheaper than through serde). foldhash rather
/// than the standard SipHash: it hashes the 12,000 findings of a 10k site
/// four times faster, and a fixed seed keeps it the same between analyses.
pub(crate) fn hash_of(value: &impl std::hash::Hash) -> u64 {
    foldhash::quality::FixedState::with_seed(0).hash_one(value)
}

/// FNV-1a of `text`: spelled out rather than taken from a hashing crate,
/// for hashes that name things kept from one release to the next (search
/// fragments, cache files).
pub(crate) fn stable_hash(text: &str) -> u64 {
    fnv1a(text.as_bytes())
}

/// A width of FNV-1a, with the published offset basis and prime of that
/// width, so that [`fnv1a`] is one loop for both.
trait FnvWidth: Copy + std::ops::BitXor<Output = Self> + From<u8> {
    const OFFSET_BASIS: Self;
    const PRIME: Self;
    fn wrapping_mul(self, by: Self) -> Self;
}

impl FnvWidth for u32 {
    const OFFSET_BASIS: u32 = 0x811c_9dc5;
    const PRIME: u32 = 0x0100_0193;
    fn wrapping_mul(self, by: u32) -> u32 {
        u32::wrapping_mul(self, by)
    }
}

impl FnvWidth for u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    fn wrapping_mul(self, by: u64) -> u64 {
        u64::wrapping_mul(self, by)
    }
}

/// FNV-1a of `bytes` at width `W`: each byte XORed in, then multiplied by
/// the prime.
fn fnv1a<W: FnvWidth>(bytes: &[u8]) -> W {
    bytes.iter().fold(W::OFFSET_BASIS, |hash, &b| {
        (hash ^ W::from(b)).wrapping_mul(W::PRIME)
    })
}

/// This program: its version and a hash of the code it was built from
/// (`build.rs`), so that a binary built again from changed code does not
/// trust a cache it did not write.
pub(crate) fn binary_identity() -> u64 {
    hash_of(&(env!("CARGO_PKG_VERSION"), env!("THROUGHLINE_CODE_HASH")))
}

/// 32-bit FNV-1a of `bytes`: the halves of a document's fingerprint, which
/// `review` writes into documents, so it must never change.
pub(crate) fn stable_hash32(bytes: &[u8]) -> u32 {
    fnv1a(bytes)
}

/// A part of a page's values that serde hashes as its [`hash_of`]: for a
/// large value that derives `Hash` (a page's trees), which the standard
/// hasher goes through several times faster than serde. Serialised only
/// for hashing; the page renders from the value itself.
#[derive(Debug)]
pub(crate) struct ByHash<T>(pub(crate) T);

impl<T: std::hash::Hash> Serialize for ByHash<T> {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(hash_of(&self.0))
    }
}

/// The hash of `value`, the same for equal values in every run.
pub(crate) fn hash_value(value: &impl Serialize) -> Option<u64> {
    let mut hasher = HashSerializer(foldhash::quality::FixedState::with_seed(0).build_hasher());
    value.serialize(&mut hasher).ok()?;
    Some(hasher.0.finish())
}

struct HashSerializer<H>(H);

/// Never raised: hashing cannot fail, but serde asks for an error type.
#[derive(Debug)]
struct NoError;

impl std::fmt::Display for NoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a value could not be hashed")
    }
}

impl std::error::Error for NoError {}

impl ser::Error for NoError {
    fn custom<T: std::fmt::Display>(_msg: T) -> NoError {
        NoError
    }
}

impl<H: Hasher> HashSerializer<H> {
    fn tag(&mut self, tag: u8) {
        self.0.write_u8(tag);
    }

    fn bytes(&mut self, tag: u8, bytes: &[u8]) {
        self.tag(tag);
        self.0.write_usize(bytes.len());
        self.0.write(bytes);
    }
}

impl<H: Hasher> ser::Serializer for &mut HashSerializer<H> {
    type Ok = ();
    type Error = NoError;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    /// Lets a value hash a compact form of itself where the text a reader
    /// sees adds nothing (`render::view::DocPath`: the id, not the path).
    fn is_human_readable(&self) -> bool {
        false
    }

    fn serialize_bool(self, v: bool) -> Result<(), NoError> {
        self.tag(1);
        self.0.write_u8(v.into());
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), NoError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), NoError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), NoError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), NoError> {
        self.tag(2);
        self.0.write_i64(v);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), NoError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), NoError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), NoError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), NoError> {
        self.tag(3);
        self.0.write_u64(v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), NoError> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<(), NoError> {
        self.tag(4);
        self.0.write_u64(v.to_bits());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), NoError> {
        self.tag(5);
        self.0.write_u32(v.into());
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), NoError> {
        self.bytes(6, v.as_bytes());
        Ok(())
    }
    fn collect_str<T: ?Sized + std::fmt::Display>(self, value: &T) -> Result<(), NoError> {
        // Straight into the hasher, where serde would make a String first
        // (a finding's location, every document's page path). Ended by
        // 0xFF, a byte no UTF-8 text has, since the length is not known
        // before the text is written.
        struct Feed<'h, H>(&'h mut H);
        impl<H: Hasher> std::fmt::Write for Feed<'_, H> {
            fn write_str(&mut self, s: &str) -> std::fmt::Result {
                self.0.write(s.as_bytes());
                Ok(())
            }
        }
        self.tag(17);
        let _ = std::fmt::Write::write_fmt(&mut Feed(&mut self.0), format_args!("{value}"));
        self.0.write_u8(0xFF);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), NoError> {
        self.bytes(7, v);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), NoError> {
        self.tag(8);
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), NoError> {
        self.tag(9);
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), NoError> {
        self.tag(10);
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), NoError> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
    ) -> Result<(), NoError> {
        self.tag(11);
        self.0.write_u32(index);
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), NoError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        value: &T,
    ) -> Result<(), NoError> {
        self.tag(12);
        self.0.write_u32(index);
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self, NoError> {
        // A sequence of unknown length is closed by `end`'s tag instead.
        self.tag(13);
        self.0.write_usize(len.unwrap_or(usize::MAX));
        Ok(self)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self, NoError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Self, NoError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        len: usize,
    ) -> Result<Self, NoError> {
        self.0.write_u32(index);
        self.serialize_seq(Some(len))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self, NoError> {
        self.tag(14);
        self.0.write_usize(len.unwrap_or(usize::MAX));
        Ok(self)
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Self, NoError> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        len: usize,
    ) -> Result<Self, NoError> {
        self.0.write_u32(index);
        self.serialize_map(Some(len))
    }
}

impl<H: Hasher> HashSerializer<H> {
    fn item<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), NoError> {
        value.serialize(self)
    }

    fn end_items(&mut self) -> Result<(), NoError> {
        self.tag(15);
        Ok(())
    }
}

macro_rules! compound {
    ($($trait:ident :: $method:ident),*) => {$(
        impl<H: Hasher> ser::$trait for &mut HashSerializer<H> {
            type Ok = ();
            type Error = NoError;
            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), NoError> {
                self.item(value)
            }
            fn end(self) -> Result<(), NoError> {
                self.end_items()
            }
        }
    )*};
}

compound!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl<H: Hasher> ser::SerializeMap for &mut HashSerializer<H> {
    type Ok = ();
    type Error = NoError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), NoError> {
        self.item(key)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), NoError> {
        self.item(value)
    }
    fn end(self) -> Result<(), NoError> {
        self.end_items()
    }
}

macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl<H: Hasher> ser::$trait for &mut HashSerializer<H> {
            type Ok = ();
            type Error = NoError;
            // Field names are left out: a struct's fields always come in the
            // same order, and hashing their names was half the cost.
            fn serialize_field<T: ?Sized + Serialize>(
                &mut self,
                _key: &'static str,
                value: &T,
            ) -> Result<(), NoError> {
                self.item(value)
            }
            fn skip_field(&mut self, _key: &'static str) -> Result<(), NoError> {
                // A skipped field still counts: skipped differs from present.
                self.tag(16);
                Ok(())
            }
            fn end(self) -> Result<(), NoError> {
                self.end_items()
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

#[cfg(test)]
mod tests {
    use super::{hash_value, stable_hash, stable_hash32};
    use serde::Serialize;

    #[test]
    fn the_stable_hashes_match_the_published_fnv1a_vectors() {
        assert_eq!(stable_hash32(b""), 0x811c_9dc5);
        assert_eq!(stable_hash32(b"a"), 0xe40c_292c);
        assert_eq!(stable_hash32(b"foobar"), 0xbf9c_f968);
        assert_eq!(stable_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(stable_hash("foobar"), 0x8594_4171_f739_67e8);
    }

    #[derive(Serialize)]
    struct Page<'a> {
        title: &'a str,
        items: Vec<&'a str>,
        note: Option<&'a str>,
    }

    #[test]
    fn equal_values_hash_equal_and_any_change_shows() {
        let page = |title, items: Vec<&'static str>, note| Page { title, items, note };
        let base = hash_value(&page("a", vec!["x", "y"], None));
        assert_eq!(base, hash_value(&page("a", vec!["x", "y"], None)));
        for other in [
            page("b", vec!["x", "y"], None),
            page("a", vec!["x"], None),
            page("a", vec!["xy"], None),
            page("a", vec!["x", "y", ""], None),
            page("a", vec!["x", "y"], Some("")),
            // The same characters moved from one string to the next.
            page("ax", vec!["", "y"], None),
        ] {
            assert_ne!(base, hash_value(&other));
        }
    }

    /// A value written through `collect_str`, as a document's page path is.
    struct Shown(&'static str, &'static str);

    impl Serialize for Shown {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_str(&format_args!("{}{}", self.0, self.1))
        }
    }

    #[test]
    fn text_written_through_display_hashes_by_its_characters() {
        let hash = |parts: Vec<Shown>| hash_value(&parts);
        let base = hash(vec![Shown("a", "b"), Shown("c", "")]);
        assert_eq!(base, hash(vec![Shown("a", "b"), Shown("c", "")]));
        assert_ne!(base, hash(vec![Shown("a", "b"), Shown("d", "")]));
        // The same characters moved from one value to the next.
        assert_ne!(base, hash(vec![Shown("a", ""), Shown("bc", "")]));
        assert_ne!(base, hash(vec![Shown("a", "b")]));
    }
}
