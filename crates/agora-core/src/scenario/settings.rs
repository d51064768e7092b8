//! One mechanism for addressing scenario fields.
//!
//! Every settings type implements [`Settable`]: it knows how to take a
//! *patch* (the same structure with every field optional, as read from a RON
//! file that lists only what differs) and how to set one field by its dotted
//! parameter path (`dynamics.digital_imitation`, `citizens.digitalization.a`).
//! Scenario files, `base` inheritance, `--set`, interventions and sweep axes
//! all go through these two operations, so they address fields identically.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// Why a parameter path could not be set. `path` is filled in from the leaf
/// outwards as the error travels up through the nested settings.
#[derive(Debug, Clone, PartialEq)]
pub struct PathError {
    /// Path segments, outermost first.
    pub path: Vec<String>,
    /// What is wrong.
    pub kind: PathErrorKind,
}

/// The ways a parameter path can be wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum PathErrorKind {
    /// The segment does not name a field; `allowed` lists those that exist.
    Unknown {
        /// The fields that exist there.
        allowed: Vec<&'static str>,
    },
    /// The path ends at a group of fields rather than a value.
    NotALeaf {
        /// The group's fields.
        allowed: Vec<&'static str>,
    },
    /// The path goes past a plain value.
    TooDeep,
    /// The value does not parse as the field's type.
    BadValue {
        /// The value as given.
        value: String,
        /// What the field takes.
        expected: &'static str,
        /// The parser's message.
        message: String,
    },
}

impl PathError {
    /// An error of `kind` at a path filled in as it travels up.
    pub fn new(kind: PathErrorKind) -> Self {
        PathError { path: Vec::new(), kind }
    }

    /// Prefix the path with the enclosing field's name.
    pub fn within(mut self, field: &str) -> Self {
        self.path.insert(0, field.to_string());
        self
    }

    /// The dotted path.
    pub fn path_string(&self) -> String {
        self.path.join(".")
    }
}

impl std::fmt::Display for PathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.path_string();
        match &self.kind {
            PathErrorKind::Unknown { allowed } => {
                let parent = match self.path.len() {
                    0 | 1 => "a scenario".to_string(),
                    n => format!("`{}`", self.path[..n - 1].join(".")),
                };
                let given = self.path.last().map_or("", String::as_str);
                match super::suggest::did_you_mean(given, allowed.iter().copied()) {
                    Some(name) => {
                        let mut fixed = self.path.clone();
                        *fixed.last_mut().expect("a path with its unknown segment") = name.to_string();
                        write!(f, "unknown parameter `{path}`; did you mean `{}`?", fixed.join("."))
                    }
                    None => write!(f, "unknown parameter `{path}`: {parent} has {}", allowed.join(", ")),
                }
            }
            PathErrorKind::NotALeaf { allowed } => write!(
                f,
                "parameter `{path}` is a group; name one of its fields: {}",
                allowed.join(", ")
            ),
            PathErrorKind::TooDeep => {
                write!(f, "parameter `{path}` goes past a plain value")
            }
            PathErrorKind::BadValue {
                value,
                expected,
                message,
            } => write!(f, "parameter `{path}`: `{value}` is not {expected} ({message})"),
        }
    }
}

/// A field holder that can be patched from a partial RON file and set by path.
pub trait Settable {
    /// The same structure with every field optional.
    type Patch: DeserializeOwned + Default;
    /// Overwrite the fields that the patch names.
    fn apply(&mut self, patch: Self::Patch);
    /// Set the field at `path` (relative to `self`) from a RON value.
    fn set(&mut self, path: &[&str], value: &str) -> Result<(), PathError>;
    /// Every leaf path below `self`, for help texts.
    fn leaf_paths(&self, prefix: &str, out: &mut Vec<String>);
}

/// A field given in a patch. Deserializes the value itself (no `Some(..)`
/// wrapper in the file); a field left out stays `None` through `#[serde(default)]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Given<T>(pub Option<T>);

impl<T> Default for Given<T> {
    fn default() -> Self {
        Given(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Given<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(|value| Given(Some(value)))
    }
}

/// Parse a RON value for a field, with the type's name for messages.
pub fn parse_value<T: DeserializeOwned>(value: &str, expected: &'static str) -> Result<T, PathError> {
    ron::from_str::<T>(value).map_err(|e| {
        PathError::new(PathErrorKind::BadValue {
            value: value.to_string(),
            expected,
            message: e.code.to_string(),
        })
    })
}

/// Implements [`Settable`] for a type that is replaced as a whole.
macro_rules! whole_value {
    ($($ty:ty => $expected:literal),* $(,)?) => {$(
        impl Settable for $ty {
            type Patch = Given<$ty>;
            fn apply(&mut self, patch: Given<$ty>) {
                if let Some(value) = patch.0 {
                    *self = value;
                }
            }
            fn set(&mut self, path: &[&str], value: &str) -> Result<(), PathError> {
                if !path.is_empty() {
                    return Err(PathError::new(PathErrorKind::TooDeep));
                }
                *self = parse_value(value, $expected)?;
                Ok(())
            }
            fn leaf_paths(&self, prefix: &str, out: &mut Vec<String>) {
                out.push(prefix.to_string());
            }
        }
    )*};
}

whole_value! {
    f64 => "a number",
    u32 => "a whole number >= 0",
    u64 => "a whole number >= 0",
    String => "a string",
    Option<String> => "None or Some(\"text\")",
    std::collections::BTreeMap<String, f64> => "a map {\"dynamics.<parameter>\": value}",
}

/// Defines a settings struct, its `Default`, its patch type and its
/// [`Settable`] implementation from one list of `field: Type = default`.
macro_rules! settings {
    (
        $(#[$meta:meta])*
        pub struct $name:ident / $patch:ident as $rename:literal {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $default:expr ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl Default for $name {
            fn default() -> Self {
                Self { $( $field: $default, )* }
            }
        }

        #[doc = concat!("[`", stringify!($name), "`] with every field optional, as read from a file.")]
        #[derive(Debug, Default, serde::Deserialize)]
        #[serde(default, deny_unknown_fields, rename = $rename)]
        pub struct $patch {
            $(
                #[doc = concat!("`", stringify!($field), "`, if the file gives it.")]
                pub $field: <$ty as $crate::scenario::settings::Settable>::Patch,
            )*
        }

        impl $name {
            /// The names of this group's fields, in order.
            pub const FIELDS: &'static [&'static str] = &[$( stringify!($field) ),*];
        }

        impl $crate::scenario::settings::Settable for $name {
            type Patch = $patch;
            fn apply(&mut self, patch: $patch) {
                $( self.$field.apply(patch.$field); )*
            }
            fn set(&mut self, path: &[&str], value: &str)
                -> Result<(), $crate::scenario::settings::PathError>
            {
                use $crate::scenario::settings::{PathError, PathErrorKind};
                let Some((head, rest)) = path.split_first() else {
                    return Err(PathError::new(PathErrorKind::NotALeaf { allowed: Self::FIELDS.to_vec() }));
                };
                match *head {
                    $( stringify!($field) => self.$field.set(rest, value).map_err(|e| e.within(head)), )*
                    _ => Err(PathError::new(PathErrorKind::Unknown { allowed: Self::FIELDS.to_vec() }).within(head)),
                }
            }
            fn leaf_paths(&self, prefix: &str, out: &mut Vec<String>) {
                $( self.$field.leaf_paths(&$crate::scenario::settings::join(prefix, stringify!($field)), out); )*
            }
        }
    };
}

/// [`settings!`] for a group whose fields are all numbers (`f64`), which
/// also gets a typed setter per field ([`Setter`]), so that interventions
/// change parameters without going through text.
macro_rules! numeric_settings {
    (
        $(#[$meta:meta])*
        pub struct $name:ident / $patch:ident as $rename:literal {
            $( $(#[$fmeta:meta])* $field:ident : f64 = $default:expr ),* $(,)?
        }
    ) => {
        $crate::scenario::settings::settings! {
            $(#[$meta])*
            pub struct $name / $patch as $rename {
                $( $(#[$fmeta])* $field: f64 = $default ),*
            }
        }

        impl $name {
            /// The value of the field called `name`.
            pub fn get(&self, name: &str) -> Option<f64> {
                match name {
                    $( stringify!($field) => Some(self.$field), )*
                    _ => None,
                }
            }

            /// The typed setter of the field called `name`.
            pub fn setter(name: &str) -> Option<$crate::scenario::settings::Setter<$name>> {
                match name {
                    $( stringify!($field) => Some($crate::scenario::settings::Setter {
                        name: stringify!($field),
                        set: |group: &mut $name, value: f64| group.$field = value,
                    }), )*
                    _ => None,
                }
            }
        }
    };
}

pub(crate) use {numeric_settings, settings};

/// Sets one numeric field of a `T`: a parameter path resolved once, when the
/// scenario is checked, and applied without parsing during a run.
pub struct Setter<T> {
    /// The field's name.
    pub name: &'static str,
    /// Writes the field.
    pub set: fn(&mut T, f64),
}

impl<T> Clone for Setter<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Setter<T> {}

impl<T> std::fmt::Debug for Setter<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Setter({})", self.name)
    }
}

/// `prefix.field`, or `field` at the top.
pub fn join(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_string()
    } else {
        format!("{prefix}.{field}")
    }
}
