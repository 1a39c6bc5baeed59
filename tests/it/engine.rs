//! The upload engine run in process (`putio_up::upload::run`), with a reporter that records
//! every event: the order of a file's events, one outcome per file, totals that add up, and
//! a cancel that stops the run resumably. The fake's final state is the judge of the rest.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use putio_up::api::{Client, Endpoints};
use putio_up::secret::Token;
use putio_up::upload::plan::ScanOptions;
use putio_up::upload::report::{Event, Reporter, Summary};
use putio_up::upload::select::Selection;
use putio_up::upload::sources::{Source, SourceKind};
use putio_up::upload::{self, Destination, UploadSettings};
use tokio_util::sync::CancellationToken;

use crate::support::tree::expected;
use crate::support::{Tree, below, fake, remote};

/// One recorded event: its kind and the file or folder it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Seen {
    kind: &'static str,
    path: String,
    index: Option<usize>,
}

/// Records every event; can cancel the run when a given kind of event comes.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<Seen>>,
    cancel_on: Option<(&'static str, CancellationToken)>,
}

impl Recorder {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn of(&self, kind: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.kind == kind).collect()
    }
}

impl Reporter for Recorder {
    fn event(&self, event: Event<'_>) {
        let (kind, path, index) = match event {
            Event::Scanned { files, .. } => ("scanned", files.to_string(), None),
            Event::Planned { files, .. } => ("planned", files.to_string(), None),
            Event::FolderCreated { path, .. } => ("folder_created", path.to_owned(), None),
            Event::FilePlanned { index, path, .. } => {
                ("file_planned", path.to_owned(), Some(index))
            }
            Event::FileStarted { index, path, .. } => {
                ("file_started", path.to_owned(), Some(index))
            }
            Event::FileResumed { index, path, .. } => {
                ("file_resumed", path.to_owned(), Some(index))
            }
            Event::FileDone { index, path, .. } => ("file_done", path.to_owned(), Some(index)),
            Event::FileSkipped { path, .. } => ("file_skipped", path.to_owned(), None),
            Event::FileFailed { index, path, .. } => ("file_failed", path.to_owned(), index),
            Event::Finished(_) => ("finished", String::new(), None),
            Event::FileProgress { .. } => return,
            _ => ("other", String::new(), None),
        };
        self.seen.lock().unwrap().push(Seen { kind, path, index });
        if let Some((on, token)) = &self.cancel_on
            && *on == kind
        {
            token.cancel();
        }
    }
}

fn settings(root: &Path, to: &str, state: &Path) -> UploadSettings {
    UploadSettings {
        sources: vec![Source {
            root: root.canonicalize().unwrap(),
            name: root.file_name().unwrap().to_owned(),
            kind: SourceKind::Folder,
            scan: ScanOptions::default(),
        }],
        unlisted: Vec::new(),
        delete_source: false,
        bwlimit: None,
        limits: upload::Limits::default(),
        torrents: upload::Torrents::File,
        destination: Destination::Path(vec![to.to_owned()]),
        jobs: 2,
        checkers: 4,
        chunk_size: 1 << 20,
        retries: 3,
        verify_wait: Duration::from_secs(5),
        checksum: false,
        on_conflict: upload::settings::OnConflict::Fail,
        state_dir: Some(state.to_owned()),
        dry_run: false,
    }
}

fn run(
    fake: &fake_putio::FakePutio,
    settings: &UploadSettings,
    recorder: Arc<Recorder>,
    cancel: CancellationToken,
) -> Summary {
    let endpoints = Endpoints {
        api: fake.api_url(),
        upload: fake.upload_url(),
    };
    let token = Token::new(&fake.token()).unwrap();
    let client = Arc::new(Client::new(endpoints, &token, 3, 4).unwrap());
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(upload::run(settings, client, recorder, cancel))
        .expect("the run is not stopped")
}

#[test]
fn each_file_has_its_events_in_order_and_one_outcome() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("top/a.txt", b"alpha");
    tree.file("top/deep/er/b.txt", b"bravo");
    tree.file("top/deep/c.txt", b"charlie");
    tree.file("top/same.txt", b"same");
    tree.file("top/clash.txt", b"local");
    let dest = fake.seed_folder(0, "dest");
    let top = fake.seed_folder(dest, "top");
    fake.seed_file(top, "same.txt", b"same");
    fake.seed_file(top, "clash.txt", b"remote, longer");
    let state = tempfile::tempdir().unwrap();
    let recorder = Arc::new(Recorder::default());

    let summary = run(
        &fake,
        &settings(&tree.join("top"), "dest", state.path()),
        Arc::clone(&recorder),
        CancellationToken::new(),
    );

    assert_eq!(
        (summary.uploaded, summary.skipped, summary.failures.len()),
        (3, 1, 1),
        "{summary:?}"
    );
    assert_eq!(recorder.of("scanned").len(), 1);
    assert_eq!(recorder.of("scanned")[0].path, "5");
    assert_eq!(recorder.of("finished").len(), 1);
    assert_eq!(recorder.seen().last().unwrap().kind, "finished");
    // One outcome per file, and every file has one.
    let mut outcomes: Vec<String> = recorder
        .seen()
        .into_iter()
        .filter(|s| ["file_done", "file_skipped", "file_failed"].contains(&s.kind))
        .map(|s| s.path)
        .collect();
    outcomes.sort();
    assert_eq!(
        outcomes,
        [
            "top/a.txt",
            "top/clash.txt",
            "top/deep/c.txt",
            "top/deep/er/b.txt",
            "top/same.txt"
        ]
    );
    // A sent file: planned, then started, then done, under one index.
    let seen = recorder.seen();
    for done in recorder.of("file_done") {
        let index = done.index;
        let kinds: Vec<&str> = seen
            .iter()
            .filter(|s| s.index == index && s.kind.starts_with("file_"))
            .map(|s| s.kind)
            .collect();
        assert_eq!(
            kinds,
            ["file_planned", "file_started", "file_done"],
            "{done:?}"
        );
    }
    // A folder is created before anything in it is started.
    for folder in recorder.of("folder_created") {
        let created = seen.iter().position(|s| *s == folder).unwrap();
        let prefix = format!("{}/", folder.path);
        assert!(
            seen.iter()
                .position(|s| s.kind == "file_started" && s.path.starts_with(&prefix))
                .is_none_or(|started| started > created),
            "{folder:?} in {seen:#?}"
        );
    }
    let mut want = expected(&tree.join("top"), "/dest/top");
    // The clash stays as put.io had it; the local one failed.
    want.remove("/dest/top/clash.txt");
    let mut got = below(&remote(&fake), "/dest/top");
    got.remove("/dest/top/clash.txt");
    assert_eq!(got, want);
}

#[test]
fn a_cancel_stops_the_run_and_the_next_one_finishes_it_each_file_once() {
    let fake = fake();
    let tree = Tree::new();
    for n in 0..12 {
        tree.file(&format!("many/f{n:02}.bin"), &vec![b'x'; 200_000 + n]);
    }
    let state = tempfile::tempdir().unwrap();
    let cancel = CancellationToken::new();
    let first = Arc::new(Recorder {
        cancel_on: Some(("file_done", cancel.clone())),
        ..Recorder::default()
    });
    let settings = settings(&tree.join("many"), "dest", state.path());

    let summary = run(&fake, &settings, Arc::clone(&first), cancel);
    assert!(summary.interrupted, "{summary:?}");
    assert!(summary.uploaded < 12, "{summary:?}");

    let second = Arc::new(Recorder::default());
    let summary = run(
        &fake,
        &settings,
        Arc::clone(&second),
        CancellationToken::new(),
    );
    assert!(
        !summary.interrupted && summary.failures.is_empty(),
        "{summary:?}"
    );
    // Every file has one outcome in the second run; what the first one finished is skipped
    // (as may be a file whose upload ended as the cancel came, before it was reported).
    let (done, skipped) = (
        second.of("file_done").len(),
        second.of("file_skipped").len(),
    );
    assert_eq!(done + skipped, 12, "{:#?}", second.seen());
    assert!(
        skipped >= first.of("file_done").len(),
        "{:#?}",
        second.seen()
    );
    assert_eq!(
        below(&remote(&fake), "/dest/many"),
        expected(&tree.join("many"), "/dest/many")
    );
}

#[test]
fn a_selection_sends_only_its_paths_and_reads_only_their_folders() {
    let fake = fake();
    let tree = Tree::new();
    tree.file("sel/keep/a.txt", b"a");
    tree.file("sel/keep/sub/b.txt", b"b");
    tree.file("sel/other/c.txt", b"c");
    tree.file("sel/d.txt", b"d");
    tree.file("sel/e.txt", b"e");
    let state = tempfile::tempdir().unwrap();
    let mut settings = settings(&tree.join("sel"), "dest", state.path());
    settings.sources[0].scan.selection = Some(Arc::new(Selection::new(["keep", "e.txt"]).unwrap()));
    let recorder = Arc::new(Recorder::default());

    let summary = run(
        &fake,
        &settings,
        Arc::clone(&recorder),
        CancellationToken::new(),
    );

    assert_eq!(summary.uploaded, 3, "{summary:?}");
    let names: Vec<String> = below(&remote(&fake), "/dest/sel").into_keys().collect();
    assert_eq!(
        names,
        [
            "/dest/sel",
            "/dest/sel/e.txt",
            "/dest/sel/keep",
            "/dest/sel/keep/a.txt",
            "/dest/sel/keep/sub",
            "/dest/sel/keep/sub/b.txt"
        ]
    );
    // Nothing about what was not selected: no folder `other`, no skip or exclusion.
    assert!(
        recorder
            .seen()
            .iter()
            .all(|s| !s.path.contains("other") && !s.path.contains("d.txt")),
        "{:#?}",
        recorder.seen()
    );
}
