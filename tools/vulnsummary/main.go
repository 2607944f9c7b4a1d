// Command vulnsummary reads govulncheck -format json on stdin and prints one
// line per vulnerability the code calls: its id, the module (stdlib for the
// standard library), the version found, the version that fixes it, and its
// summary. With -strict it exits 1 when one of them is outside the standard
// library (in our code's dependencies); findings in the standard library
// name the Go release to build with instead.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

// message is the part of govulncheck's JSON stream this command reads.
type message struct {
	OSV *struct {
		ID      string `json:"id"`
		Summary string `json:"summary"`
	} `json:"osv"`
	Finding *struct {
		OSV          string `json:"osv"`
		FixedVersion string `json:"fixed_version"`
		Trace        []struct {
			Module   string `json:"module"`
			Version  string `json:"version"`
			Package  string `json:"package"`
			Function string `json:"function"`
		} `json:"trace"`
	} `json:"finding"`
}

type called struct{ id, module, found, fixed string }

func main() {
	strict := flag.Bool("strict", false, "exit 1 on a called vulnerability outside the standard library")
	flag.Parse()
	summaries := map[string]string{}
	seen := map[called]bool{}
	dec := json.NewDecoder(os.Stdin)
	for {
		var m message
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			fmt.Fprintln(os.Stderr, "vulnsummary: reading govulncheck's JSON:", err)
			os.Exit(2)
		}
		if m.OSV != nil {
			summaries[m.OSV.ID] = m.OSV.Summary
		}
		// A finding whose first frame names a function is one the code
		// calls; the others are only imported or required.
		if f := m.Finding; f != nil && len(f.Trace) > 0 && f.Trace[0].Function != "" {
			seen[called{f.OSV, f.Trace[0].Module, f.Trace[0].Version, f.FixedVersion}] = true
		}
	}
	var list []called
	for c := range seen {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].id < list[j].id })
	outside := 0
	for _, c := range list {
		fixed := c.fixed
		if fixed == "" {
			fixed = "no fix yet"
		}
		fmt.Printf("  %s  %s %s, fixed in %s: %s\n", c.id, c.module, c.found, fixed, summaries[c.id])
		if c.module != "stdlib" {
			outside++
		}
	}
	stdlib := len(list) - outside
	fmt.Printf("  %d called vulnerabilities: %d in the standard library, %d in our code or dependencies\n", len(list), stdlib, outside)
	if *strict && outside > 0 {
		os.Exit(1)
	}
}
