
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
            cand --api-url 'put.io API origin: scheme, host and optional port, no path'
            cand --upload-url 'put.io upload origin: scheme, host and optional port, no path'
            cand --web-url 'put.io web app origin, where `login --device` sends you to approve the code'
            cand --config 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml'
            cand --color 'Colour in human output on stderr [default: auto, or `color` in the config file]'
            cand -v 'More log output on stderr (-v: info, -vv: debug, -vvv: trace)'
            cand --verbose 'More log output on stderr (-v: info, -vv: debug, -vvv: trace)'
            cand -q 'Print only errors and the final summary'
            cand --quiet 'Print only errors and the final summary'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand upload 'Upload a folder, and everything in it, to put.io'
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
            cand --to 'Destination folder path on put.io, created if missing [default: the account root, or `to` in the config file] [env: PUTIO_UP_TO]'
            cand --parent-id 'Destination folder id on put.io, 0 is the account root [env: PUTIO_UP_PARENT_ID]'
            cand -j 'How many files to upload at once [default: 4]'
            cand --jobs 'How many files to upload at once [default: 4]'
            cand --checkers 'How many folders to list or create on put.io at once, whatever -j is [default: 16]'
            cand --chunk-size 'Bytes sent per upload request, e.g. 64MiB; a failed request resends at most this much [default: 64MiB]'
            cand --retries 'Attempts per request before a file is given up (transient errors only) [default: 8]'
            cand --verify-wait 'How long to wait for put.io to report the CRC32 of a file it stored without one, e.g. `90s`, `5m`; a file still without one is kept and reported as not verified [default: 60s]'
            cand --exclude 'Leave out paths matching this .gitignore-style pattern (repeatable; adds to `exclude` in the config file)'
            cand --include 'Upload only files matching this .gitignore-style pattern, or inside a matching folder (repeatable)'
            cand --exclude-from 'Read exclude patterns from FILE, one per line, .gitignore syntax (repeatable)'
            cand --torrents 'What .torrent and .magnet files become: `file` stores them like any file, `transfer` starts a put.io transfer from each into its folder instead [default: file]'
            cand --api-url 'put.io API origin: scheme, host and optional port, no path'
            cand --upload-url 'put.io upload origin: scheme, host and optional port, no path'
            cand --web-url 'put.io web app origin, where `login --device` sends you to approve the code'
            cand --config 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml'
            cand --color 'Colour in human output on stderr [default: auto, or `color` in the config file]'
            cand --checksum 'Before skipping a file that is already on put.io with the same size, also compare CRC32s (reads every such local file)'
            cand --overwrite 'Replace a different file of the same name on put.io: the new one is uploaded first, then the old one is deleted (it goes to put.io''s trash if enabled)'
            cand --json 'Print newline-delimited JSON events on stdout (human output stays on stderr)'
            cand -n 'Decide everything (walk, names, remote listing) and print the plan; create and upload nothing'
            cand --dry-run 'Decide everything (walk, names, remote listing) and print the plan; create and upload nothing'
            cand --no-hidden 'Leave out hidden files and folders (names starting with `.`); they are uploaded by default'
            cand --hidden 'Upload hidden files and folders (the default; overrides `no_hidden` from the environment or config file)'
            cand -L 'Follow symbolic links (loops are detected and reported); by default links are skipped'
            cand --follow-links 'Follow symbolic links (loops are detected and reported); by default links are skipped'
            cand -v 'More log output on stderr (-v: info, -vv: debug, -vvv: trace)'
            cand --verbose 'More log output on stderr (-v: info, -vv: debug, -vvv: trace)'
            cand -q 'Print only errors and the final summary'
            cand --quiet 'Print only errors and the final summary'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'putio-up;watch'= {
            cand --to 'Destination folder path on put.io, created if missing [default: the account root, or `to` in the config file] [env: PUTIO_UP_TO]'
            cand --parent-id 'Destination folder id on put.io, 0 is the account root [env: PUTIO_UP_PARENT_ID]'
            cand -j 'How many files to upload at once [default: 4]'
            cand --jobs 'How many files to upload at once [default: 4]'
            cand --checkers 'How many folders to list or create on put.io at once, whatever -j is [default: 16]'
            cand --chunk-size 'Bytes sent per upload request, e.g. 64MiB; a failed request resends at most this much [default: 64MiB]'
            cand --retries 'Attempts per request before a file is given up (transient errors only) [default: 8]'
            cand --verify-wait 'How long to wait for put.io to report the CRC32 of a file it stored without one, e.g. `90s`, `5m`; a file still without one is kept and reported as not verified [default: 60s]'
            cand --exclude 'Leave out paths matching this .gitignore-style pattern (repeatable; adds to `exclude` in the config file)'
            cand --include 'Upload only files matching this .gitignore-style pattern, or inside a matching folder (repeatable)'
            cand --exclude-from 'Read exclude patterns from FILE, one per line, .gitignore syntax (repeatable)'
            cand --torrents 'What .torrent and .magnet files become: `file` stores them like any file, `transfer` starts a put.io transfer from each into its folder instead [default: file]'
            cand --settle 'Send a file once its size and modification time have not changed for this long'
            cand --rescan 'Walk the whole folder this often, to catch what file events missed'
            cand --api-url 'put.io API origin: scheme, host and optional port, no path'
            cand --upload-url 'put.io upload origin: scheme, host and optional port, no path'
            cand --web-url 'put.io web app origin, where `login --device` sends you to approve the code'
            cand --config 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml'
            cand --color 'Colour in human output on stderr [default: auto, or `color` in the config file]'
            cand --checksum 'Before skipping a file that is already on put.io with the same size, also compare CRC32s (reads every such local file)'
            cand --overwrite 'Replace a different file of the same name on put.io: the new one is uploaded first, then the old one is deleted (it goes to put.io''s trash if enabled)'
            cand --json 'Print newline-delimited JSON events on stdout (human output stays on stderr)'
            cand -n 'Decide everything (walk, names, remote listing) and print the plan; create and upload nothing'
            cand --dry-run 'Decide everything (walk, names, remote listing) and print the plan; create and upload nothing'
            cand --no-hidden 'Leave out hidden files and folders (names starting with `.`); they are uploaded by default'
            cand --hidden 'Upload hidden files and folders (the default; overrides `no_hidden` from the environment or config file)'
            cand -L 'Follow symbolic links (loops are detected and reported); by default links are skipped'
            cand --follow-links 'Follow symbolic links (loops are detected and reported); by default links are skipped'
            cand -v 'More log output on stderr (-v: info, -vv: debug, -vvv: trace)'
            cand --verbose 'More log output on stderr (-v: info, -vv: debug, -vvv: trace)'
            cand -q 'Print only errors and the final summary'
            cand --quiet 'Print only errors and the final summary'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'putio-up;login'= {
            cand --port 'Port of the local callback, http://127.0.0.1:PORT/callback, which must be the callback URL registered for your put.io app. Another port, or 0 (any free one), works only if put.io accepts any loopback port for the app, which is not known'
            cand --timeout 'Give up waiting for the browser or the code''s approval after this long (90s, 5m, 1h)'
            cand --api-url 'put.io API origin: scheme, host and optional port, no path'
            cand --upload-url 'put.io upload origin: scheme, host and optional port, no path'
            cand --web-url 'put.io web app origin, where `login --device` sends you to approve the code'
            cand --config 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml'
            cand --color 'Colour in human output on stderr [default: auto, or `color` in the config file]'
            cand --device 'Log in by approving a code at put.io/link from another device'
            cand --with-token 'Read the token from stdin (never from an argument)'
            cand --no-browser 'Print the login address instead of opening a browser'
            cand --insecure-storage 'Store the token in a plaintext file readable only by you (mode 0600) instead of the OS keychain'
            cand -v 'More log output on stderr (-v: info, -vv: debug, -vvv: trace)'
            cand --verbose 'More log output on stderr (-v: info, -vv: debug, -vvv: trace)'
            cand -q 'Print only errors and the final summary'
            cand --quiet 'Print only errors and the final summary'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'putio-up;logout'= {
            cand --api-url 'put.io API origin: scheme, host and optional port, no path'
            cand --upload-url 'put.io upload origin: scheme, host and optional port, no path'
            cand --web-url 'put.io web app origin, where `login --device` sends you to approve the code'
            cand --config 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml'
            cand --color 'Colour in human output on stderr [default: auto, or `color` in the config file]'
            cand -v 'More log output on stderr (-v: info, -vv: debug, -vvv: trace)'
            cand --verbose 'More log output on stderr (-v: info, -vv: debug, -vvv: trace)'
            cand -q 'Print only errors and the final summary'
            cand --quiet 'Print only errors and the final summary'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'putio-up;whoami'= {
            cand --api-url 'put.io API origin: scheme, host and optional port, no path'
            cand --upload-url 'put.io upload origin: scheme, host and optional port, no path'
            cand --web-url 'put.io web app origin, where `login --device` sends you to approve the code'
            cand --config 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml'
            cand --color 'Colour in human output on stderr [default: auto, or `color` in the config file]'
            cand --json 'Print the answer as one JSON object on stdout (username, disk, token source)'
            cand -v 'More log output on stderr (-v: info, -vv: debug, -vvv: trace)'
            cand --verbose 'More log output on stderr (-v: info, -vv: debug, -vvv: trace)'
            cand -q 'Print only errors and the final summary'
            cand --quiet 'Print only errors and the final summary'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'putio-up;doctor'= {
            cand --parent-id 'Folder id to create the temporary folder in; 0 is the account root'
            cand --crc-wait 'Seconds to wait for put.io to show the CRC32 of a new file, when it is not there at once'
            cand --api-url 'put.io API origin: scheme, host and optional port, no path'
            cand --upload-url 'put.io upload origin: scheme, host and optional port, no path'
            cand --web-url 'put.io web app origin, where `login --device` sends you to approve the code'
            cand --config 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml'
            cand --color 'Colour in human output on stderr [default: auto, or `color` in the config file]'
            cand --json 'Also print the report as one JSON document on stdout'
            cand -v 'More log output on stderr (-v: info, -vv: debug, -vvv: trace)'
            cand --verbose 'More log output on stderr (-v: info, -vv: debug, -vvv: trace)'
            cand -q 'Print only errors and the final summary'
            cand --quiet 'Print only errors and the final summary'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'putio-up;completions'= {
            cand --api-url 'put.io API origin: scheme, host and optional port, no path'
            cand --upload-url 'put.io upload origin: scheme, host and optional port, no path'
            cand --web-url 'put.io web app origin, where `login --device` sends you to approve the code'
            cand --config 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml'
            cand --color 'Colour in human output on stderr [default: auto, or `color` in the config file]'
            cand -v 'More log output on stderr (-v: info, -vv: debug, -vvv: trace)'
            cand --verbose 'More log output on stderr (-v: info, -vv: debug, -vvv: trace)'
            cand -q 'Print only errors and the final summary'
            cand --quiet 'Print only errors and the final summary'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'putio-up;man'= {
            cand --api-url 'put.io API origin: scheme, host and optional port, no path'
            cand --upload-url 'put.io upload origin: scheme, host and optional port, no path'
            cand --web-url 'put.io web app origin, where `login --device` sends you to approve the code'
            cand --config 'Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml'
            cand --color 'Colour in human output on stderr [default: auto, or `color` in the config file]'
            cand -v 'More log output on stderr (-v: info, -vv: debug, -vvv: trace)'
            cand --verbose 'More log output on stderr (-v: info, -vv: debug, -vvv: trace)'
            cand -q 'Print only errors and the final summary'
            cand --quiet 'Print only errors and the final summary'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'putio-up;help'= {
            cand upload 'Upload a folder, and everything in it, to put.io'
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
