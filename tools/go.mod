// The release tools, in a module of their own so that users of the SDK
// never download them: govulncheck and its offline database
// (golang.org/x/vulndb, OSV files under data/osv), and apidiff. No package
// imports golang.org/x/vulndb, so "go mod tidy" would drop it: bump it with
// "go get golang.org/x/vulndb@<version>" instead.
module github.com/gurulize/gurulize-go/tools

go 1.26.0

tool (
	golang.org/x/exp/cmd/apidiff
	golang.org/x/vuln/cmd/govulncheck
)

require (
	golang.org/x/exp v0.0.0-20261113113407-e3970619a1a4
	golang.org/x/vuln v1.9.0
	golang.org/x/vulndb v0.0.0-20261105234957-e22db6528018 // the vulnerability database, read offline
)

require (
	golang.org/x/mod v0.42.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/telemetry v0.0.0-20261010193011-f71dc92da45e // indirect
	golang.org/x/tools v0.52.1-0.20261106145633-d407941a339a // indirect
)
