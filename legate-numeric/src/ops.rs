//! The operations `legate_numeric` runs natively, named as NumPy names them.

macro_rules! named_ops {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u32)]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// NumPy's name of the operation.
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }

            pub fn from_name(name: &str) -> Option<$name> {
                match name { $($text => Some($name::$variant),)* _ => None }
            }

            pub fn from_code(code: u32) -> Option<$name> {
                Self::ALL.get(code as usize).copied()
            }
        }
    };
}

named_ops!(
    /// Elementwise functions of one argument.
    UnaryOp {
        Negative = "negative", Positive = "positive", Absolute = "absolute", Sign = "sign",
        Sqrt = "sqrt", Cbrt = "cbrt", Square = "square", Reciprocal = "reciprocal",
        Exp = "exp", Exp2 = "exp2", Expm1 = "expm1", Log = "log", Log2 = "log2", Log10 = "log10", Log1p = "log1p",
        Sin = "sin", Cos = "cos", Tan = "tan", Arcsin = "arcsin", Arccos = "arccos", Arctan = "arctan",
        Sinh = "sinh", Cosh = "cosh", Tanh = "tanh", Arcsinh = "arcsinh", Arccosh = "arccosh", Arctanh = "arctanh",
        Deg2rad = "deg2rad", Rad2deg = "rad2deg",
        Floor = "floor", Ceil = "ceil", Trunc = "trunc", Rint = "rint",
        Isnan = "isnan", Isinf = "isinf", Isfinite = "isfinite", Signbit = "signbit",
        LogicalNot = "logical_not", Invert = "invert", Conjugate = "conjugate",
    }
);

named_ops!(
    /// Elementwise functions of two arguments.
    BinaryOp {
        Add = "add", Subtract = "subtract", Multiply = "multiply", TrueDivide = "true_divide",
        FloorDivide = "floor_divide", Remainder = "remainder", Fmod = "fmod", Power = "power",
        Maximum = "maximum", Minimum = "minimum", Fmax = "fmax", Fmin = "fmin",
        Copysign = "copysign", Arctan2 = "arctan2", Hypot = "hypot", Logaddexp = "logaddexp",
        BitwiseAnd = "bitwise_and", BitwiseOr = "bitwise_or", BitwiseXor = "bitwise_xor",
        LeftShift = "left_shift", RightShift = "right_shift",
        LogicalAnd = "logical_and", LogicalOr = "logical_or", LogicalXor = "logical_xor",
        Equal = "equal", NotEqual = "not_equal", Less = "less", LessEqual = "less_equal",
        Greater = "greater", GreaterEqual = "greater_equal",
    }
);

impl UnaryOp {
    /// Whether NumPy reports floating-point errors (`divide by zero encountered in log`)
    /// for this function; comparisons, rounding and predicates never raise them.
    pub fn reports_fp_errors(self) -> bool {
        use UnaryOp::*;
        matches!(
            self,
            Sqrt | Cbrt | Square | Reciprocal | Exp | Exp2 | Expm1 | Log | Log2 | Log10 | Log1p | Sin | Cos | Tan
                | Arcsin | Arccos | Arctan | Sinh | Cosh | Tanh | Arcsinh | Arccosh | Arctanh | Deg2rad | Rad2deg
        )
    }

    /// NumPy's name of the function in its messages.
    pub fn numpy_name(self) -> &'static str {
        self.name()
    }

    /// Whether the result is boolean whatever the input type.
    pub fn is_predicate(self) -> bool {
        matches!(self, UnaryOp::Isnan | UnaryOp::Isinf | UnaryOp::Isfinite | UnaryOp::Signbit | UnaryOp::LogicalNot)
    }
}

impl BinaryOp {
    /// Whether NumPy reports floating-point errors for this function (arithmetic, not
    /// comparisons, `maximum`/`minimum`, bitwise or logical operations).
    pub fn reports_fp_errors(self) -> bool {
        use BinaryOp::*;
        matches!(self, Add | Subtract | Multiply | TrueDivide | FloorDivide | Remainder | Fmod | Power | Arctan2 | Hypot | Logaddexp)
    }

    /// NumPy's name of the function in its messages (`true_divide` is `divide`).
    pub fn numpy_name(self) -> &'static str {
        match self {
            BinaryOp::TrueDivide => "divide",
            op => op.name(),
        }
    }

    /// Whether the result is boolean whatever the input type.
    pub fn is_predicate(self) -> bool {
        use BinaryOp::*;
        matches!(self, Equal | NotEqual | Less | LessEqual | Greater | GreaterEqual | LogicalAnd | LogicalOr | LogicalXor)
    }
}

named_ops!(
    /// Reductions.
    ReduceOp { Sum = "sum", Prod = "prod", Max = "max", Min = "min", All = "all", Any = "any" }
);
