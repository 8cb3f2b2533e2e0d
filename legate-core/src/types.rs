//! Logical element types of stores: the primitive numeric types, fixed-size arrays,
//! structs and strings. Types compare structurally (two identically built struct types
//! are equal), know their byte layout, and convert to and from Arrow's `DataType`
//! wherever Arrow has an equivalent.

use std::fmt;
use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields};
use legate_abi::{Element, TypeCode};

/// A logical element type.
///
/// Equality and hashing are structural, so types built independently from the same
/// description are interchangeable (e.g. as keys of a task's type dispatch table).
#[derive(Debug, Eq, Hash)]
pub enum Type {
    Bool,
    Int8,
    Int16,
    Int32,
    Int64,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Float16,
    Float32,
    Float64,
    /// A pair of `float32` (real, imaginary), NumPy's `complex64`.
    Complex64,
    /// A pair of `float64` (real, imaginary), NumPy's `complex128`.
    Complex128,
    /// `len` consecutive values of `elem`, like a C array `elem[len]`.
    FixedArray {
        elem: Box<Type>,
        len: u32,
    },
    /// A record of `fields`. With `align` the fields sit at their natural alignment and
    /// the struct is padded like a C struct; without it the fields are packed.
    Struct {
        fields: Vec<Type>,
        align: bool,
    },
    /// A variable-size UTF-8 string.
    String,
}

// Clone and PartialEq by hand, inlined: every operation clones and compares the types
// of its operands, nearly always primitives, where this is a copy and a comparison of
// the discriminant instead of a call.
impl Clone for Type {
    #[inline]
    fn clone(&self) -> Type {
        match self {
            Type::Bool => Type::Bool,
            Type::Int8 => Type::Int8,
            Type::Int16 => Type::Int16,
            Type::Int32 => Type::Int32,
            Type::Int64 => Type::Int64,
            Type::UInt8 => Type::UInt8,
            Type::UInt16 => Type::UInt16,
            Type::UInt32 => Type::UInt32,
            Type::UInt64 => Type::UInt64,
            Type::Float16 => Type::Float16,
            Type::Float32 => Type::Float32,
            Type::Float64 => Type::Float64,
            Type::Complex64 => Type::Complex64,
            Type::Complex128 => Type::Complex128,
            Type::String => Type::String,
            Type::FixedArray { elem, len } => Type::FixedArray { elem: elem.clone(), len: *len },
            Type::Struct { fields, align } => Type::Struct { fields: fields.clone(), align: *align },
        }
    }
}

impl PartialEq for Type {
    #[inline]
    fn eq(&self, other: &Type) -> bool {
        // Variants without data are equal exactly when they are the same variant. (The
        // compound ones out of line: a recursive function is never inlined.)
        std::mem::discriminant(self) == std::mem::discriminant(other) && (self.is_primitive_or_string() || self.compound_eq(other))
    }
}

impl Type {
    #[inline]
    fn is_primitive_or_string(&self) -> bool {
        !matches!(self, Type::FixedArray { .. } | Type::Struct { .. })
    }

    #[inline(never)]
    fn compound_eq(&self, other: &Type) -> bool {
        match (self, other) {
            (Type::FixedArray { elem: a, len: n }, Type::FixedArray { elem: b, len: m }) => n == m && a == b,
            (Type::Struct { fields: a, align: x }, Type::Struct { fields: b, align: y }) => x == y && a == b,
            _ => false,
        }
    }
}

/// Why a type could not be converted to or from Arrow.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
pub enum TypeError {
    #[error("type {0} has no Arrow equivalent")]
    NoArrowEquivalent(String),
    #[error("Arrow type {0} is not supported by Legate")]
    UnsupportedArrowType(String),
}

/// The primitive types with their names, in code order. One table serves `Display`,
/// `from_name` and the tests, so the names cannot drift apart.
const PRIMITIVES: [(Type, &str); 14] = [
    (Type::Bool, "bool"),
    (Type::Int8, "int8"),
    (Type::Int16, "int16"),
    (Type::Int32, "int32"),
    (Type::Int64, "int64"),
    (Type::UInt8, "uint8"),
    (Type::UInt16, "uint16"),
    (Type::UInt32, "uint32"),
    (Type::UInt64, "uint64"),
    (Type::Float16, "float16"),
    (Type::Float32, "float32"),
    (Type::Float64, "float64"),
    (Type::Complex64, "complex64"),
    (Type::Complex128, "complex128"),
];

/// Rounds `value` up to a multiple of `align` (a power of two, at least 1), or `None` on
/// overflow.
fn round_up(value: usize, align: usize) -> Option<usize> {
    Some(value.checked_add(align - 1)? & !(align - 1))
}

/// The offset of each field and the end of the last one, for a struct of `fields`;
/// `None` if a field is variable-size (later fields would have no fixed offset) or the
/// layout overflows `usize`.
fn struct_layout(fields: &[Type], align: bool) -> Option<(Vec<usize>, usize)> {
    let mut offsets = Vec::with_capacity(fields.len());
    let mut offset = 0usize;
    for field in fields {
        if align {
            offset = round_up(offset, field.alignment())?;
        }
        offsets.push(offset);
        offset = offset.checked_add(field.size()?)?;
    }
    Some((offsets, offset))
}

impl Type {
    /// A fixed-size array of `len` values of `elem`.
    pub fn fixed_array(elem: Type, len: u32) -> Type {
        Type::FixedArray {
            elem: Box::new(elem),
            len,
        }
    }

    /// A struct of `fields`, C-aligned when `align` is set and packed otherwise.
    pub fn struct_type(fields: Vec<Type>, align: bool) -> Type {
        Type::Struct { fields, align }
    }

    /// The type of an `ndim`-dimensional point: `int64[ndim]`, the element type of
    /// stores of coordinates (e.g. the index stores of gather/scatter copies).
    ///
    /// Takes `usize` because dimension counts are `usize` everywhere else; a count beyond
    /// `u32::MAX` cannot come from a real store and panics.
    pub fn point(ndim: usize) -> Type {
        let len = u32::try_from(ndim).unwrap_or_else(|_| panic!("point of {ndim} dimensions"));
        Type::fixed_array(Type::Int64, len)
    }

    /// The primitive type with the given code; `None` for the compound codes, whose
    /// types need more than a code to describe.
    pub fn from_code(code: TypeCode) -> Option<Type> {
        Some(match code {
            TypeCode::Bool => Type::Bool,
            TypeCode::Int8 => Type::Int8,
            TypeCode::Int16 => Type::Int16,
            TypeCode::Int32 => Type::Int32,
            TypeCode::Int64 => Type::Int64,
            TypeCode::UInt8 => Type::UInt8,
            TypeCode::UInt16 => Type::UInt16,
            TypeCode::UInt32 => Type::UInt32,
            TypeCode::UInt64 => Type::UInt64,
            TypeCode::Float16 => Type::Float16,
            TypeCode::Float32 => Type::Float32,
            TypeCode::Float64 => Type::Float64,
            TypeCode::Complex64 => Type::Complex64,
            TypeCode::Complex128 => Type::Complex128,
            TypeCode::FixedArray | TypeCode::Struct | TypeCode::String => return None,
        })
    }

    /// The logical type a Rust element type views.
    ///
    /// Primitive element types map to their primitive type. The only fixed-array
    /// elements the ABI defines are `[i64; N]` (points), so a fixed-array code maps to
    /// `int64[N]` with `N = SIZE / 8`. Returns `None` where the element type alone does
    /// not determine the logical type.
    pub fn of<T: Element>() -> Option<Type> {
        match T::CODE {
            TypeCode::FixedArray => {
                if T::SIZE % 8 != 0 {
                    return None;
                }
                let len = u32::try_from(T::SIZE / 8).ok()?;
                Some(Type::fixed_array(Type::Int64, len))
            }
            code => Type::from_code(code),
        }
    }

    /// The primitive type called `name` (NumPy spelling; `bool_` is accepted too), or
    /// `string`. Compound types have no parseable name.
    pub fn from_name(name: &str) -> Option<Type> {
        match name {
            "bool_" => Some(Type::Bool),
            "string" => Some(Type::String),
            _ => PRIMITIVES
                .iter()
                .find(|(_, n)| *n == name)
                .map(|(t, _)| t.clone()),
        }
    }

    /// The type code that identifies this type across the ABI.
    pub fn code(&self) -> TypeCode {
        match self {
            Type::Bool => TypeCode::Bool,
            Type::Int8 => TypeCode::Int8,
            Type::Int16 => TypeCode::Int16,
            Type::Int32 => TypeCode::Int32,
            Type::Int64 => TypeCode::Int64,
            Type::UInt8 => TypeCode::UInt8,
            Type::UInt16 => TypeCode::UInt16,
            Type::UInt32 => TypeCode::UInt32,
            Type::UInt64 => TypeCode::UInt64,
            Type::Float16 => TypeCode::Float16,
            Type::Float32 => TypeCode::Float32,
            Type::Float64 => TypeCode::Float64,
            Type::Complex64 => TypeCode::Complex64,
            Type::Complex128 => TypeCode::Complex128,
            Type::FixedArray { .. } => TypeCode::FixedArray,
            Type::Struct { .. } => TypeCode::Struct,
            Type::String => TypeCode::String,
        }
    }

    /// Size in bytes of one element. `None` for variable-size types (strings and
    /// anything containing one), and for a compound type too large for `usize`.
    /// (Every launch asks for each argument's: the primitive types inline as a compare
    /// and a constant, the compound ones go out of line.)
    #[inline]
    pub fn size(&self) -> Option<usize> {
        match self {
            Type::Bool | Type::Int8 | Type::UInt8 => Some(1),
            Type::Int16 | Type::UInt16 | Type::Float16 => Some(2),
            Type::Int32 | Type::UInt32 | Type::Float32 => Some(4),
            Type::Int64 | Type::UInt64 | Type::Float64 | Type::Complex64 => Some(8),
            Type::Complex128 => Some(16),
            _ => self.compound_size(),
        }
    }

    #[inline(never)]
    fn compound_size(&self) -> Option<usize> {
        match self {
            Type::FixedArray { elem, len } => elem.size()?.checked_mul(*len as usize),
            Type::Struct { fields, align } => {
                let (_, end) = struct_layout(fields, *align)?;
                // Trailing padding keeps every element of an array of structs aligned
                // (a no-op for packed structs, whose alignment is 1).
                round_up(end, self.alignment())
            }
            _ => None,
        }
    }

    /// Alignment in bytes of one element (always a power of two, at least 1).
    ///
    /// Complex numbers align like their component floats (as `num_complex` lays them
    /// out); strings report the alignment of their character data.
    pub fn alignment(&self) -> usize {
        match self {
            Type::Complex64 => 4,
            Type::Complex128 => 8,
            Type::FixedArray { elem, .. } => elem.alignment(),
            Type::Struct {
                fields,
                align: true,
            } => fields.iter().map(Type::alignment).max().unwrap_or(1),
            Type::Struct { align: false, .. } => 1,
            Type::String => 1,
            // Every other primitive aligns to its own size.
            primitive => primitive.size().unwrap_or(1),
        }
    }

    /// Byte offset of each field of a struct: at its natural alignment for an aligned
    /// struct, back to back for a packed one. `None` for non-struct types and for
    /// structs with a variable-size field (whose later fields have no fixed offset).
    pub fn field_offsets(&self) -> Option<Vec<usize>> {
        let Type::Struct { fields, align } = self else {
            return None;
        };
        struct_layout(fields, *align).map(|(offsets, _)| offsets)
    }

    /// Bool, the integers, floats and complex numbers.
    pub fn is_primitive(&self) -> bool {
        !matches!(
            self,
            Type::FixedArray { .. } | Type::Struct { .. } | Type::String
        )
    }

    /// The signed and unsigned integers. `bool` is not integral here, following NumPy
    /// (`np.issubdtype(np.bool_, np.integer)` is false).
    pub fn is_integral(&self) -> bool {
        matches!(
            self,
            Type::Int8
                | Type::Int16
                | Type::Int32
                | Type::Int64
                | Type::UInt8
                | Type::UInt16
                | Type::UInt32
                | Type::UInt64
        )
    }

    /// The real floating-point types.
    pub fn is_floating(&self) -> bool {
        matches!(self, Type::Float16 | Type::Float32 | Type::Float64)
    }

    /// The complex types.
    pub fn is_complex(&self) -> bool {
        matches!(self, Type::Complex64 | Type::Complex128)
    }

    /// The equivalent Arrow type.
    ///
    /// Fixed arrays become non-nullable `FixedSizeList`s with an `item` field and structs
    /// become `Struct`s with fields `f0`, `f1`, ...; Arrow does not record a struct's
    /// alignment, so that is lost. Complex numbers have no Arrow type.
    pub fn to_arrow(&self) -> Result<DataType, TypeError> {
        Ok(match self {
            Type::Bool => DataType::Boolean,
            Type::Int8 => DataType::Int8,
            Type::Int16 => DataType::Int16,
            Type::Int32 => DataType::Int32,
            Type::Int64 => DataType::Int64,
            Type::UInt8 => DataType::UInt8,
            Type::UInt16 => DataType::UInt16,
            Type::UInt32 => DataType::UInt32,
            Type::UInt64 => DataType::UInt64,
            Type::Float16 => DataType::Float16,
            Type::Float32 => DataType::Float32,
            Type::Float64 => DataType::Float64,
            Type::Complex64 | Type::Complex128 => {
                return Err(TypeError::NoArrowEquivalent(self.to_string()))
            }
            Type::FixedArray { elem, len } => {
                // Arrow list sizes are i32; a longer array has no Arrow equivalent.
                let len = i32::try_from(*len)
                    .map_err(|_| TypeError::NoArrowEquivalent(self.to_string()))?;
                let item = Field::new("item", elem.to_arrow()?, false);
                DataType::FixedSizeList(Arc::new(item), len)
            }
            Type::Struct { fields, .. } => {
                let fields = fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| Ok(Field::new(format!("f{i}"), f.to_arrow()?, false)))
                    .collect::<Result<Vec<Field>, TypeError>>()?;
                DataType::Struct(Fields::from(fields))
            }
            Type::String => DataType::Utf8,
        })
    }

    /// The Legate type of an Arrow type.
    ///
    /// Field names and nullability are not part of a Legate type and are ignored.
    /// Arrow structs become aligned structs, the layout a C or NumPy consumer expects.
    /// `LargeUtf8` maps to `string` as `Utf8` does.
    pub fn from_arrow(data_type: &DataType) -> Result<Type, TypeError> {
        let unsupported = || TypeError::UnsupportedArrowType(data_type.to_string());
        Ok(match data_type {
            DataType::Boolean => Type::Bool,
            DataType::Int8 => Type::Int8,
            DataType::Int16 => Type::Int16,
            DataType::Int32 => Type::Int32,
            DataType::Int64 => Type::Int64,
            DataType::UInt8 => Type::UInt8,
            DataType::UInt16 => Type::UInt16,
            DataType::UInt32 => Type::UInt32,
            DataType::UInt64 => Type::UInt64,
            DataType::Float16 => Type::Float16,
            DataType::Float32 => Type::Float32,
            DataType::Float64 => Type::Float64,
            DataType::FixedSizeList(item, len) => {
                let len = u32::try_from(*len).map_err(|_| unsupported())?;
                Type::fixed_array(Type::from_arrow(item.data_type())?, len)
            }
            DataType::Struct(fields) => Type::struct_type(
                fields
                    .iter()
                    .map(|f| Type::from_arrow(f.data_type()))
                    .collect::<Result<_, _>>()?,
                true,
            ),
            DataType::Utf8 | DataType::LargeUtf8 => Type::String,
            _ => return Err(unsupported()),
        })
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::FixedArray { elem, len } => write!(f, "{elem}[{len}]"),
            Type::Struct { fields, .. } => {
                f.write_str("{")?;
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{field}")?;
                }
                f.write_str("}")
            }
            Type::String => f.write_str("string"),
            primitive => {
                let name = PRIMITIVES
                    .iter()
                    .find(|(t, _)| t == primitive)
                    .map_or("?", |(_, n)| n);
                f.write_str(name)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn primitives() -> Vec<Type> {
        PRIMITIVES.iter().map(|(t, _)| t.clone()).collect()
    }

    #[test]
    fn primitive_sizes_and_alignments() {
        let expected = [
            (Type::Bool, 1, 1),
            (Type::Int8, 1, 1),
            (Type::Int16, 2, 2),
            (Type::Int32, 4, 4),
            (Type::Int64, 8, 8),
            (Type::UInt8, 1, 1),
            (Type::UInt16, 2, 2),
            (Type::UInt32, 4, 4),
            (Type::UInt64, 8, 8),
            (Type::Float16, 2, 2),
            (Type::Float32, 4, 4),
            (Type::Float64, 8, 8),
            (Type::Complex64, 8, 4),
            (Type::Complex128, 16, 8),
        ];
        for (t, size, align) in expected {
            assert_eq!(t.size(), Some(size), "size of {t}");
            assert_eq!(t.alignment(), align, "alignment of {t}");
        }
        assert_eq!(Type::String.size(), None);
        assert_eq!(Type::String.alignment(), 1);
    }

    #[test]
    fn sizes_match_rust_layouts() {
        use half::f16;
        use num_complex::{Complex32, Complex64};
        use std::mem::{align_of, size_of};
        let rust = [
            (Type::Bool, size_of::<bool>(), align_of::<bool>()),
            (Type::Int16, size_of::<i16>(), align_of::<i16>()),
            (Type::Float16, size_of::<f16>(), align_of::<f16>()),
            (Type::Float64, size_of::<f64>(), align_of::<f64>()),
            (
                Type::Complex64,
                size_of::<Complex32>(),
                align_of::<Complex32>(),
            ),
            (
                Type::Complex128,
                size_of::<Complex64>(),
                align_of::<Complex64>(),
            ),
        ];
        for (t, size, align) in rust {
            assert_eq!(t.size(), Some(size), "{t}");
            assert_eq!(t.alignment(), align, "{t}");
        }
    }

    #[test]
    fn fixed_arrays() {
        let p3 = Type::point(3);
        assert_eq!(p3, Type::fixed_array(Type::Int64, 3));
        assert_eq!(p3.size(), Some(24));
        assert_eq!(p3.alignment(), 8);
        assert_eq!(p3.code(), TypeCode::FixedArray);

        let nested = Type::fixed_array(Type::fixed_array(Type::Int16, 3), 5);
        assert_eq!(nested.size(), Some(30));
        assert_eq!(nested.alignment(), 2);

        assert_eq!(Type::fixed_array(Type::Float32, 0).size(), Some(0));
        assert_eq!(Type::fixed_array(Type::String, 2).size(), None);
        // Too large for usize: reported as having no size rather than wrapping.
        let huge = Type::fixed_array(Type::fixed_array(Type::Int64, u32::MAX), u32::MAX);
        assert_eq!(huge.size(), None);
    }

    #[test]
    fn aligned_struct_layout_is_c_layout() {
        #[repr(C)]
        struct C {
            _a: i8,
            _b: f64,
            _c: i16,
        }
        let t = Type::struct_type(vec![Type::Int8, Type::Float64, Type::Int16], true);
        assert_eq!(t.field_offsets(), Some(vec![0, 8, 16]));
        assert_eq!(t.size(), Some(std::mem::size_of::<C>()));
        assert_eq!(t.size(), Some(24));
        assert_eq!(t.alignment(), std::mem::align_of::<C>());

        // Trailing padding only up to the largest field alignment.
        let t = Type::struct_type(vec![Type::Int32, Type::Int8], true);
        assert_eq!(t.field_offsets(), Some(vec![0, 4]));
        assert_eq!(t.size(), Some(8));
        assert_eq!(t.alignment(), 4);

        // A nested struct and a fixed array align like their members.
        let inner = Type::struct_type(vec![Type::Int8, Type::Int32], true);
        let t = Type::struct_type(
            vec![Type::Bool, inner, Type::fixed_array(Type::Int16, 3)],
            true,
        );
        assert_eq!(t.field_offsets(), Some(vec![0, 4, 12]));
        assert_eq!(t.size(), Some(20));
        assert_eq!(t.alignment(), 4);
    }

    #[test]
    fn packed_struct_layout() {
        let t = Type::struct_type(vec![Type::Int8, Type::Float64, Type::Int16], false);
        assert_eq!(t.field_offsets(), Some(vec![0, 1, 9]));
        assert_eq!(t.size(), Some(11));
        assert_eq!(t.alignment(), 1);
    }

    #[test]
    fn empty_and_variable_structs() {
        let empty = Type::struct_type(vec![], true);
        assert_eq!(empty.size(), Some(0));
        assert_eq!(empty.alignment(), 1);
        assert_eq!(empty.field_offsets(), Some(vec![]));

        let with_string = Type::struct_type(vec![Type::Int32, Type::String], true);
        assert_eq!(with_string.size(), None);
        assert_eq!(with_string.field_offsets(), None);
        assert_eq!(Type::Int32.field_offsets(), None);
    }

    #[test]
    fn structural_equality() {
        let a = Type::struct_type(vec![Type::Int32, Type::point(2)], true);
        let b = Type::struct_type(vec![Type::Int32, Type::point(2)], true);
        assert_eq!(a, b);
        let set: HashSet<Type> = [a.clone(), b].into_iter().collect();
        assert_eq!(set.len(), 1);
        assert_ne!(
            a,
            Type::struct_type(vec![Type::Int32, Type::point(2)], false)
        );
        assert_ne!(
            a,
            Type::struct_type(vec![Type::Int32, Type::point(3)], true)
        );
        assert_ne!(Type::point(2), Type::fixed_array(Type::UInt64, 2));
    }

    #[test]
    fn codes() {
        for t in primitives() {
            assert_eq!(Type::from_code(t.code()), Some(t.clone()));
            assert!(t.is_primitive());
        }
        assert_eq!(Type::struct_type(vec![], true).code(), TypeCode::Struct);
        assert_eq!(Type::String.code(), TypeCode::String);
        assert_eq!(Type::from_code(TypeCode::Struct), None);
    }

    #[test]
    fn of_element_types() {
        assert_eq!(Type::of::<bool>(), Some(Type::Bool));
        assert_eq!(Type::of::<u16>(), Some(Type::UInt16));
        assert_eq!(Type::of::<half::f16>(), Some(Type::Float16));
        assert_eq!(Type::of::<num_complex::Complex32>(), Some(Type::Complex64));
        assert_eq!(Type::of::<num_complex::Complex64>(), Some(Type::Complex128));
        assert_eq!(Type::of::<[i64; 3]>(), Some(Type::point(3)));
        assert_eq!(Type::of::<[i64; 1]>(), Some(Type::point(1)));
    }

    #[test]
    fn classification() {
        assert!(Type::Int8.is_integral() && Type::UInt64.is_integral());
        assert!(!Type::Bool.is_integral() && !Type::Float32.is_integral());
        assert!(Type::Float16.is_floating() && !Type::Complex64.is_floating());
        assert!(Type::Complex128.is_complex() && !Type::Float64.is_complex());
        assert!(!Type::String.is_primitive());
        assert!(!Type::point(2).is_primitive());
        assert!(!Type::struct_type(vec![Type::Int8], true).is_primitive());
    }

    #[test]
    fn display_names() {
        let names: Vec<String> = primitives().iter().map(Type::to_string).collect();
        assert_eq!(
            names,
            [
                "bool",
                "int8",
                "int16",
                "int32",
                "int64",
                "uint8",
                "uint16",
                "uint32",
                "uint64",
                "float16",
                "float32",
                "float64",
                "complex64",
                "complex128"
            ]
        );
        assert_eq!(Type::point(3).to_string(), "int64[3]");
        assert_eq!(
            Type::fixed_array(Type::point(3), 2).to_string(),
            "int64[3][2]"
        );
        assert_eq!(
            Type::struct_type(vec![Type::Int32, Type::Float64], true).to_string(),
            "{int32,float64}"
        );
        assert_eq!(
            Type::struct_type(
                vec![Type::Bool, Type::struct_type(vec![Type::Int8], false)],
                true
            )
            .to_string(),
            "{bool,{int8}}"
        );
        assert_eq!(Type::String.to_string(), "string");
    }

    #[test]
    fn from_name() {
        for t in primitives() {
            assert_eq!(Type::from_name(&t.to_string()), Some(t.clone()));
        }
        assert_eq!(Type::from_name("bool_"), Some(Type::Bool));
        assert_eq!(Type::from_name("string"), Some(Type::String));
        assert_eq!(Type::from_name("int64[3]"), None);
        assert_eq!(Type::from_name("float"), None);
        assert_eq!(Type::from_name(""), None);
    }

    #[test]
    fn arrow_round_trip() {
        let mut convertible: Vec<Type> = primitives()
            .into_iter()
            .filter(|t| !t.is_complex())
            .collect();
        convertible.extend([
            Type::String,
            Type::point(3),
            Type::fixed_array(Type::fixed_array(Type::Float32, 2), 4),
            // from_arrow yields aligned structs, so those are the ones that round-trip.
            Type::struct_type(vec![Type::Int32, Type::Float64, Type::point(2)], true),
            Type::struct_type(
                vec![
                    Type::Bool,
                    Type::struct_type(vec![Type::UInt8, Type::String], true),
                ],
                true,
            ),
            Type::struct_type(vec![], true),
        ]);
        for t in convertible {
            let arrow = t.to_arrow().unwrap_or_else(|e| panic!("{t}: {e}"));
            assert_eq!(Type::from_arrow(&arrow), Ok(t.clone()), "{t} via {arrow}");
        }
    }

    #[test]
    fn arrow_shapes() {
        assert_eq!(Type::Bool.to_arrow(), Ok(DataType::Boolean));
        assert_eq!(Type::String.to_arrow(), Ok(DataType::Utf8));
        let DataType::FixedSizeList(item, 3) = Type::point(3).to_arrow().unwrap() else {
            panic!("point is not a FixedSizeList of 3");
        };
        assert_eq!(item.name(), "item");
        assert!(!item.is_nullable());
        assert_eq!(item.data_type(), &DataType::Int64);

        let DataType::Struct(fields) = Type::struct_type(vec![Type::Int8, Type::Int16], false)
            .to_arrow()
            .unwrap()
        else {
            panic!("struct is not an Arrow struct");
        };
        let names: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, ["f0", "f1"]);

        // Arrow field names and nullability do not matter on the way in.
        let arrow = DataType::Struct(Fields::from(vec![
            Field::new("x", DataType::Float32, true),
            Field::new("label", DataType::LargeUtf8, true),
        ]));
        assert_eq!(
            Type::from_arrow(&arrow),
            Ok(Type::struct_type(vec![Type::Float32, Type::String], true))
        );
        let list = DataType::FixedSizeList(Arc::new(Field::new("v", DataType::UInt8, true)), 4);
        assert_eq!(
            Type::from_arrow(&list),
            Ok(Type::fixed_array(Type::UInt8, 4))
        );
    }

    #[test]
    fn arrow_errors() {
        assert_eq!(
            Type::Complex64.to_arrow(),
            Err(TypeError::NoArrowEquivalent("complex64".into()))
        );
        let err = Type::Complex128.to_arrow().unwrap_err();
        assert_eq!(err.to_string(), "type complex128 has no Arrow equivalent");
        // A complex type nested anywhere makes the whole type inconvertible.
        let nested = Type::struct_type(
            vec![Type::Int8, Type::fixed_array(Type::Complex64, 2)],
            true,
        );
        assert_eq!(
            nested.to_arrow(),
            Err(TypeError::NoArrowEquivalent("complex64".into()))
        );
        let long = Type::fixed_array(Type::Int8, u32::MAX);
        assert!(matches!(
            long.to_arrow(),
            Err(TypeError::NoArrowEquivalent(_))
        ));

        let err = Type::from_arrow(&DataType::Date32).unwrap_err();
        assert_eq!(err, TypeError::UnsupportedArrowType("Date32".into()));
        assert_eq!(
            err.to_string(),
            "Arrow type Date32 is not supported by Legate"
        );
        let list = DataType::List(Arc::new(Field::new("item", DataType::Int32, true)));
        assert!(matches!(
            Type::from_arrow(&list),
            Err(TypeError::UnsupportedArrowType(_))
        ));
        // An unsupported type nested in a struct is named by itself.
        let nested = DataType::Struct(Fields::from(vec![Field::new("t", DataType::Null, true)]));
        assert_eq!(
            Type::from_arrow(&nested),
            Err(TypeError::UnsupportedArrowType("Null".into()))
        );
    }
}
