//! Atomic file writes: the bytes go to a temporary file in the same folder, are flushed to
//! disk, and the file is renamed over the target. A reader (or a resumed run) sees either the
//! old file or the complete new one, never a half-written file. Once the run is asked to stop
//! (Ctrl-C, [`IoError::check_stop`]) nothing more is written, so a replicate cut short by the
//! stop is never saved and an interrupted run folder stays marked incomplete.

use crate::IoError;
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically, creating parent folders as needed
/// ([`IoError::Interrupted`] instead once a stop is requested).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), IoError> {
    IoError::check_stop()?;
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(dir) = parent {
        std::fs::create_dir_all(dir).map_err(|e| IoError::os(dir, e))?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(IoError::os(path, e));
    }
    Ok(())
}

/// Whether `name` is the temporary file of an unfinished atomic write (`.NAME.tmp-PID`).
pub fn is_temporary(name: &str) -> bool {
    name.starts_with('.')
        && name
            .rsplit_once(".tmp-")
            .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// Serialises `value` as pretty JSON and writes it atomically.
pub fn write_json_atomic<T: serde::Serialize + ?Sized>(
    path: &Path,
    value: &T,
) -> Result<(), IoError> {
    let bytes = serde_json::to_vec_pretty(value).map_err(|source| IoError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    write_atomic(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces_without_leftovers() {
        let dir = std::env::temp_dir().join(format!("ml-atomic-{}", std::process::id()));
        let p = dir.join("sub").join("a.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "temporary files left behind: {names:?}");
        assert!(is_temporary(".a.txt.tmp-123"));
        assert!(
            !is_temporary("a.txt.tmp-123")
                && !is_temporary(".a.txt.tmp-")
                && !is_temporary(".a.txt")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
