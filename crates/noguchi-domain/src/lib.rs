//! The domain of Noguchi: the types and rules of a regional medical-engineering collaboration
//! programme, as plain Rust.
//!
//! This crate must never perform I/O or depend on storage, HTTP, templates or an async runtime.
//! Everything here is a pure function of its inputs (time and randomness are passed in), so the
//! rules can be unit-tested in place and reused by every interface.

/// Defines a closed list of codes with their API spelling; the interfaces localise the labels.
#[macro_export]
macro_rules! code_list {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            pub fn parse(code: &str) -> Result<Self, $crate::validation::Problem> {
                match code.trim() {
                    $($code => Ok($name::$variant),)+
                    other => Err($crate::validation::Problem::UnknownValue { value: other.to_owned() }),
                }
            }
        }
    };
}

pub mod access;
pub mod attachment;
pub mod corporate_number;
pub mod council;
pub mod curation;
pub mod dates;
pub mod event;
pub mod event_form;
pub mod fiscal;
pub mod followup;
pub mod grant;
pub mod guard;
pub mod kpi;
pub mod ledger;
pub mod matching;
pub mod needs;
pub mod network;
pub mod nomenclature;
pub mod organisation;
pub mod person;
pub mod pipeline;
pub mod plan;
pub mod programme;
pub mod project;
pub mod survey;
pub mod text;
pub mod validation;

pub use corporate_number::CorporateNumber;
pub use validation::{FieldError, Invalid, Problem};
