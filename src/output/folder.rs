//! A results folder, held by one writer at a time.
//!
//! Architecture invariant: every command that writes a folder first takes
//! its [`Folder`] lock, an advisory lock on `DIR/.agora.lock` held for the
//! command's whole life; only then does it create partial files. The lock
//! dies with its process (also on `kill -9`), so an interrupted run can be
//! resumed without cleanup, and a second writer is refused at once.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::manifest::{MANIFEST, Manifest};
use crate::error::{Error, IoContext, Result};

/// The lock file inside every results folder.
pub const LOCK: &str = ".agora.lock";
/// Derived files a new result must not inherit from an old one.
const DERIVED: [&str; 1] = [crate::report::REPORT];

/// A results folder that this process alone writes.
#[derive(Debug)]
pub struct Folder {
    dir: PathBuf,
    /// Holds the advisory lock until dropped.
    _lock: File,
}

impl Folder {
    /// Create `dir` if needed and lock it for writing. Another live writer
    /// makes this fail with [`Error::Busy`], naming that process.
    pub fn lock(dir: &Path) -> Result<Folder> {
        std::fs::create_dir_all(dir).context(|| format!("creating {}", dir.display()))?;
        let path = dir.join(LOCK);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .at(&path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                return Err(Error::Busy(format!(
                    "{} is being written by another agora process ({}); wait for it to finish, \
                     stop it, or choose another --out",
                    dir.display(),
                    describe_holder(&holder)
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(format!("locking {}", path.display()), e)),
        }
        // Who holds the folder, for the message a second writer prints.
        let holder = format!(
            "pid {}\nstarted {}\ncommand {}\n",
            std::process::id(),
            super::manifest::rfc3339(std::time::SystemTime::now()),
            std::env::args().collect::<Vec<_>>().join(" ")
        );
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(holder.as_bytes()))
            .and_then(|()| file.flush())
            .at(&path)?;
        Ok(Folder {
            dir: dir.to_path_buf(),
            _lock: file,
        })
    }

    /// The folder's path.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// `DIR/name`.
    pub fn join(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Retract the result the folder holds, if any, before a new one is
    /// written: the manifest goes first (and durably), so from then on no
    /// reader takes the old files for a result; then the old files and
    /// derived files such as the report.
    pub fn retract(&self) -> Result<()> {
        let old = Manifest::read(&self.dir).ok();
        match std::fs::remove_file(self.join(MANIFEST)) {
            Ok(()) => sync_dir(&self.dir).at(&self.dir)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(format!("removing {}", self.join(MANIFEST).display()), e)),
        }
        let listed = old.iter().flat_map(|m| m.files.iter().map(|f| f.name.clone()));
        for name in listed.chain(DERIVED.map(String::from)) {
            // Only plain names: a manifest never points outside its folder.
            if name.contains(['/', '\\']) || name.starts_with('.') {
                continue;
            }
            match std::fs::remove_file(self.join(&name)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(format!("removing {}", self.join(&name).display()), e)),
            }
        }
        Ok(())
    }

    /// Write the manifest, last, and make it durable.
    pub fn publish(&self, manifest: &Manifest) -> Result<()> {
        let path = self.join(MANIFEST);
        super::atomic::write_atomic(&path, manifest.to_ron().as_bytes()).at(&path)
    }
}

/// The lock file's text as one line for a message.
fn describe_holder(text: &str) -> String {
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key).map(|v| v.trim().to_string()))
            .unwrap_or_else(|| "?".into())
    };
    format!(
        "pid {}, started {}, command `{}`",
        field("pid "),
        field("started "),
        field("command ")
    )
}

/// Make the renames and removals in `dir` durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_and_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let first = Folder::lock(dir.path()).unwrap();
        let second = Folder::lock(dir.path()).unwrap_err();
        let message = second.to_string();
        assert!(matches!(second, Error::Busy(_)), "{message}");
        assert!(message.contains(&format!("pid {}", std::process::id())), "{message}");
        assert!(message.contains("another --out"), "{message}");
        drop(first);
        Folder::lock(dir.path()).unwrap();
    }
}
