
use builtin;
use str;

set edit:completion:arg-completer[putio-up] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'putio-up'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'putio-up'= {
            cand --api-url 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]'
            cand --upload-url 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]'
            cand --web-url 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]'
            cand --config 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]'
            cand --color 'Colour in human output on stderr [default: auto, or `color` in the config file]'
            cand -v 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
            cand --verbose 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
            cand -q 'Print only errors and the final summary, no progress bars'
            cand --quiet 'Print only errors and the final summary, no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand upload 'Upload folders, and everything in them, and files to put.io'
            cand watch 'Keep a folder on put.io: upload it, then upload what is added or changed, until stopped'
            cand login 'Log in to put.io and store the token (browser, --device or --with-token)'
            cand logout 'Remove the stored token (keychain and file)'
            cand whoami 'Show the account the token belongs to, its disk use, and where the token came from'
            cand doctor 'Find out how put.io answers where putio-up''s assumptions are unverified, in a temporary folder it removes; prints a report to paste into a bug report'
            cand completions 'Print shell completions for putio-up to stdout'
            cand man 'Print putio-up''s man page (roff) to stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'putio-up;upload'= {
            cand --to 'Destination folder path on put.io from the account root (`Backups` is `/Backups`), created if missing; a name put.io would not get as typed (`a:b`) is refused with the name to use [default: the account root, or `to` in the config file] [env: PUTIO_UP_TO]'
            cand --parent-id 'Destination folder id on put.io, 0 is the account root [env: PUTIO_UP_PARENT_ID]'
            cand --on-conflict 'When a different file of the same name is already on put.io: fail, skip, overwrite (upload the new one, verify it, then delete the old one) or rename (upload as `name (1).ext`) [default: fail] [env: PUTIO_UP_ON_CONFLICT]'
            cand -j 'How many files to upload at once, 1 to 64 [default: 4] [env: PUTIO_UP_JOBS]'
            cand --jobs 'How many files to upload at once, 1 to 64 [default: 4] [env: PUTIO_UP_JOBS]'
            cand --checkers 'How many folders to list or create on put.io at once, whatever -j is, 1 to 64 [default: 16] [env: PUTIO_UP_CHECKERS]'
            cand --chunk-size 'Bytes sent per upload request, 1MiB to 4GiB, e.g. 64MiB; a failed request resends at most this much [default: 64MiB] [env: PUTIO_UP_CHUNK_SIZE]'
            cand --retries 'Retries of a failed request before its file is given up, 0 to 100 (transient errors only: timeouts, dropped connections, 5xx, 429); 0 tries once [default: 8] [env: PUTIO_UP_RETRIES]'
            cand --verify-wait 'How long to wait for put.io to report the CRC32 of a file it stored without one, e.g. `90s`, `5m`; a file still without one is kept and reported as not verified [default: 60s] [env: PUTIO_UP_VERIFY_WAIT]'
            cand --exclude 'Leave out paths matching this .gitignore-style pattern (repeatable; adds to `exclude` in the config file)'
            cand --include 'Upload only files matching this .gitignore-style pattern, or inside a matching folder (repeatable)'
            cand --exclude-from 'Read exclude patterns from FILE, one per line, .gitignore syntax (repeatable)'
            cand --torrents 'What .torrent and .magnet files become: `file` stores them like any file, `transfer` starts a put.io transfer from each into its folder instead [default: file]'
            cand --files-from 'Upload only the paths listed in FILE (`-`: stdin), one per line, `#` comments; relative to the one folder given, or absolute inside it'
            cand --files-from0 'Like --files-from, with paths separated by NUL (for `find -print0`)'
            cand --bwlimit 'Bandwidth for all transfers together, bytes per second: `10M`, `512k`, `off`, or a timetable by local time such as "08:00,1M 19:00,off"'
            cand --max-transfer 'Start no new file once files of this many bytes have been started (e.g. 50G); then exit 5, and the same command continues'
            cand --max-duration 'Start no new file after the run has gone on this long (e.g. 2h); then exit 5'
            cand --cutoff 'At a limit: `soft` lets the files in flight finish, `hard` pauses them resumably [default: soft]'
            cand --progress-interval 'When stderr is no terminal, a progress line this often while files are in flight (and a `progress` event with --json); 0 turns it off [default: 30s]'
            cand --log-file 'Also append the plain log, with timestamps, to FILE, whatever stderr shows'
            cand --api-url 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]'
            cand --upload-url 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]'
            cand --web-url 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]'
            cand --config 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]'
            cand --color 'Colour in human output on stderr [default: auto, or `color` in the config file]'
            cand --overwrite 'Short for --on-conflict overwrite: the new file is uploaded and verified first, then the old one is deleted (it goes to put.io''s trash if enabled) [env: PUTIO_UP_OVERWRITE]'
            cand --checksum 'Before skipping a file that is already on put.io with the same size, also compare CRC32s (reads every such local file)'
            cand --no-hidden 'Leave out hidden files and folders (names starting with `.`); they are uploaded by default'
            cand --hidden 'Upload hidden files and folders (the default; overrides `no_hidden` from the environment or config file)'
            cand -L 'Follow symbolic links (loops are detected and reported); by default links are skipped'
            cand --follow-links 'Follow symbolic links (loops are detected and reported); by default links are skipped'
            cand --json 'Print newline-delimited JSON events on stdout (human output stays on stderr)'
            cand -n 'Decide everything (walk, names, remote listing) and print the plan; create and upload nothing'
            cand --dry-run 'Decide everything (walk, names, remote listing) and print the plan; create and upload nothing'
            cand --delete-source 'Move mode: remove each local file once put.io holds it verified (same CRC32), and the folders that emptied (never the folder given); compares CRC32s before skipping'
            cand -v 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
            cand --verbose 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
            cand -q 'Print only errors and the final summary, no progress bars'
            cand --quiet 'Print only errors and the final summary, no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'putio-up;watch'= {
            cand --to 'Destination folder path on put.io from the account root (`Backups` is `/Backups`), created if missing; a name put.io would not get as typed (`a:b`) is refused with the name to use [default: the account root, or `to` in the config file] [env: PUTIO_UP_TO]'
            cand --parent-id 'Destination folder id on put.io, 0 is the account root [env: PUTIO_UP_PARENT_ID]'
            cand --on-conflict 'When a different file of the same name is already on put.io: fail, skip, overwrite (upload the new one, verify it, then delete the old one) or rename (upload as `name (1).ext`) [default: fail] [env: PUTIO_UP_ON_CONFLICT]'
            cand -j 'How many files to upload at once, 1 to 64 [default: 4] [env: PUTIO_UP_JOBS]'
            cand --jobs 'How many files to upload at once, 1 to 64 [default: 4] [env: PUTIO_UP_JOBS]'
            cand --checkers 'How many folders to list or create on put.io at once, whatever -j is, 1 to 64 [default: 16] [env: PUTIO_UP_CHECKERS]'
            cand --chunk-size 'Bytes sent per upload request, 1MiB to 4GiB, e.g. 64MiB; a failed request resends at most this much [default: 64MiB] [env: PUTIO_UP_CHUNK_SIZE]'
            cand --retries 'Retries of a failed request before its file is given up, 0 to 100 (transient errors only: timeouts, dropped connections, 5xx, 429); 0 tries once [default: 8] [env: PUTIO_UP_RETRIES]'
            cand --verify-wait 'How long to wait for put.io to report the CRC32 of a file it stored without one, e.g. `90s`, `5m`; a file still without one is kept and reported as not verified [default: 60s] [env: PUTIO_UP_VERIFY_WAIT]'
            cand --exclude 'Leave out paths matching this .gitignore-style pattern (repeatable; adds to `exclude` in the config file)'
            cand --include 'Upload only files matching this .gitignore-style pattern, or inside a matching folder (repeatable)'
            cand --exclude-from 'Read exclude patterns from FILE, one per line, .gitignore syntax (repeatable)'
            cand --torrents 'What .torrent and .magnet files become: `file` stores them like any file, `transfer` starts a put.io transfer from each into its folder instead [default: file]'
            cand --files-from 'Upload only the paths listed in FILE (`-`: stdin), one per line, `#` comments; relative to the one folder given, or absolute inside it'
            cand --files-from0 'Like --files-from, with paths separated by NUL (for `find -print0`)'
            cand --bwlimit 'Bandwidth for all transfers together, bytes per second: `10M`, `512k`, `off`, or a timetable by local time such as "08:00,1M 19:00,off"'
            cand --max-transfer 'Start no new file once files of this many bytes have been started (e.g. 50G); then exit 5, and the same command continues'
            cand --max-duration 'Start no new file after the run has gone on this long (e.g. 2h); then exit 5'
            cand --cutoff 'At a limit: `soft` lets the files in flight finish, `hard` pauses them resumably [default: soft]'
            cand --progress-interval 'When stderr is no terminal, a progress line this often while files are in flight (and a `progress` event with --json); 0 turns it off [default: 30s]'
            cand --log-file 'Also append the plain log, with timestamps, to FILE, whatever stderr shows'
            cand --settle 'Send a file once its size and modification time have not changed for this long'
            cand --rescan 'Walk the whole folder this often, to catch what file events missed'
            cand --api-url 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]'
            cand --upload-url 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]'
            cand --web-url 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]'
            cand --config 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]'
            cand --color 'Colour in human output on stderr [default: auto, or `color` in the config file]'
            cand --overwrite 'Short for --on-conflict overwrite: the new file is uploaded and verified first, then the old one is deleted (it goes to put.io''s trash if enabled) [env: PUTIO_UP_OVERWRITE]'
            cand --checksum 'Before skipping a file that is already on put.io with the same size, also compare CRC32s (reads every such local file)'
            cand --no-hidden 'Leave out hidden files and folders (names starting with `.`); they are uploaded by default'
            cand --hidden 'Upload hidden files and folders (the default; overrides `no_hidden` from the environment or config file)'
            cand -L 'Follow symbolic links (loops are detected and reported); by default links are skipped'
            cand --follow-links 'Follow symbolic links (loops are detected and reported); by default links are skipped'
            cand --json 'Print newline-delimited JSON events on stdout (human output stays on stderr)'
            cand -n 'Decide everything (walk, names, remote listing) and print the plan; create and upload nothing'
            cand --dry-run 'Decide everything (walk, names, remote listing) and print the plan; create and upload nothing'
            cand --delete-source 'Move mode: remove each local file once put.io holds it verified (same CRC32), and the folders that emptied (never the folder given); compares CRC32s before skipping'
            cand -v 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
            cand --verbose 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
            cand -q 'Print only errors and the final summary, no progress bars'
            cand --quiet 'Print only errors and the final summary, no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'putio-up;login'= {
            cand --port 'Port of the local callback, http://127.0.0.1:PORT/callback, which must be the callback URL registered for your put.io app. Another port, or 0 (any free one), works only if put.io accepts any loopback port for the app, which is not known'
            cand --timeout 'Give up waiting for the browser or the code''s approval after this long (90s, 5m, 1h)'
            cand --api-url 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]'
            cand --upload-url 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]'
            cand --web-url 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]'
            cand --config 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]'
            cand --color 'Colour in human output on stderr [default: auto, or `color` in the config file]'
            cand --device 'Log in by approving a code at app.put.io/link from another device'
            cand --with-token 'Read the token from stdin (never from an argument)'
            cand --no-browser 'Print the login address instead of opening a browser'
            cand --insecure-storage 'Store the token in a plaintext file readable only by you (mode 0600) instead of the OS keychain'
            cand -v 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
            cand --verbose 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
            cand -q 'Print only errors and the final summary, no progress bars'
            cand --quiet 'Print only errors and the final summary, no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'putio-up;logout'= {
            cand --api-url 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]'
            cand --upload-url 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]'
            cand --web-url 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]'
            cand --config 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]'
            cand --color 'Colour in human output on stderr [default: auto, or `color` in the config file]'
            cand -v 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
            cand --verbose 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
            cand -q 'Print only errors and the final summary, no progress bars'
            cand --quiet 'Print only errors and the final summary, no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'putio-up;whoami'= {
            cand --api-url 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]'
            cand --upload-url 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]'
            cand --web-url 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]'
            cand --config 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]'
            cand --color 'Colour in human output on stderr [default: auto, or `color` in the config file]'
            cand --json 'Print the answer as one JSON object on stdout (username, disk, token source)'
            cand -v 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
            cand --verbose 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
            cand -q 'Print only errors and the final summary, no progress bars'
            cand --quiet 'Print only errors and the final summary, no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'putio-up;doctor'= {
            cand --parent-id 'Folder id to create the temporary folder in; 0 is the account root'
            cand --crc-wait 'Seconds to wait for put.io to show the CRC32 of a new file, when it is not there at once'
            cand --api-url 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]'
            cand --upload-url 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]'
            cand --web-url 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]'
            cand --config 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]'
            cand --color 'Colour in human output on stderr [default: auto, or `color` in the config file]'
            cand --json 'Also print the report as one JSON document on stdout'
            cand -v 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
            cand --verbose 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
            cand -q 'Print only errors and the final summary, no progress bars'
            cand --quiet 'Print only errors and the final summary, no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'putio-up;completions'= {
            cand --api-url 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]'
            cand --upload-url 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]'
            cand --web-url 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]'
            cand --config 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]'
            cand --color 'Colour in human output on stderr [default: auto, or `color` in the config file]'
            cand -v 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
            cand --verbose 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
            cand -q 'Print only errors and the final summary, no progress bars'
            cand --quiet 'Print only errors and the final summary, no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'putio-up;man'= {
            cand --api-url 'put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]'
            cand --upload-url 'put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]'
            cand --web-url 'put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]'
            cand --config 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml [env: PUTIO_UP_CONFIG]'
            cand --color 'Colour in human output on stderr [default: auto, or `color` in the config file]'
            cand -v 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
            cand --verbose 'Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)'
            cand -q 'Print only errors and the final summary, no progress bars'
            cand --quiet 'Print only errors and the final summary, no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'putio-up;help'= {
            cand upload 'Upload folders, and everything in them, and files to put.io'
            cand watch 'Keep a folder on put.io: upload it, then upload what is added or changed, until stopped'
            cand login 'Log in to put.io and store the token (browser, --device or --with-token)'
            cand logout 'Remove the stored token (keychain and file)'
            cand whoami 'Show the account the token belongs to, its disk use, and where the token came from'
            cand doctor 'Find out how put.io answers where putio-up''s assumptions are unverified, in a temporary folder it removes; prints a report to paste into a bug report'
            cand completions 'Print shell completions for putio-up to stdout'
            cand man 'Print putio-up''s man page (roff) to stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'putio-up;help;upload'= {
        }
        &'putio-up;help;watch'= {
        }
        &'putio-up;help;login'= {
        }
        &'putio-up;help;logout'= {
        }
        &'putio-up;help;whoami'= {
        }
        &'putio-up;help;doctor'= {
        }
        &'putio-up;help;completions'= {
        }
        &'putio-up;help;man'= {
        }
        &'putio-up;help;help'= {
        }
    ]
    $completions[$command]
}
