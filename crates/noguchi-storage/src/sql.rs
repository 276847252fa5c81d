//! Small helpers shared by the repositories: reading rows and keyset pagination.

use crate::{Result, StoreError};
use sqlx::any::AnyRow;
use sqlx::{Decode, Row, Type};

pub(crate) fn get<'r, T>(row: &'r AnyRow, col: &str) -> Result<T>
where
    T: Decode<'r, sqlx::Any> + Type<sqlx::Any>,
{
    row.try_get(col)
        .map_err(|e| StoreError::Corrupt(format!("column {col}: {e}")))
}

pub(crate) fn flag(row: &AnyRow, col: &str) -> Result<bool> {
    Ok(get::<i64>(row, col)? != 0)
}

/// One page of a list, with the cursor that continues it.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Cursor of keyset pagination over `(sort_key, id)`: opaque to clients.
pub(crate) fn encode_cursor(sort_key: &[u8], id: &str) -> String {
    format!("{}.{}", crate::hex(sort_key), id)
}

pub(crate) fn decode_cursor(cursor: &str) -> Option<(Vec<u8>, String)> {
    let (key, id) = cursor.split_once('.')?;
    if key.len() % 2 != 0 || id.is_empty() || id.len() > 64 {
        return None;
    }
    let bytes = (0..key.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(key.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    Some((bytes, id.to_owned()))
}

/// Escapes LIKE wildcards so user text matches literally (used with `ESCAPE '\'`).
pub(crate) fn like_pattern(s: &str) -> String {
    let mut p = String::from("%");
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip() {
        let c = encode_cursor(&[0xe3, 0x81, 0x82, 0], "abc");
        assert_eq!(
            decode_cursor(&c),
            Some((vec![0xe3, 0x81, 0x82, 0], "abc".into()))
        );
        assert_eq!(decode_cursor("zz.abc"), None);
        assert_eq!(decode_cursor("nodot"), None);
    }

    #[test]
    fn like_escapes() {
        assert_eq!(like_pattern("10%_a"), "%10\\%\\_a%");
    }
}
