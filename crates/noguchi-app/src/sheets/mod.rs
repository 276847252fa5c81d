//! Spreadsheets in and out: reading what people send (XLSX, CSV in UTF-8 or Shift_JIS),
//! checking its rows, and writing lists and the council pack.

pub mod read;
pub mod rows;
pub mod write;
