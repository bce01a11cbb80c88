// compose-check: loads a compose file the way Docker Compose does (compose-spec/compose-go: the
// Compose specification's JSON schema, interpolation from the environment and env files, merge
// keys, references) and prints the services it found. Exit 1 with the loader's message when the
// file is not a valid Compose project. Built by infra/install-tools.ts; used by
// test/integration/deploy-artifacts.test.ts, since no container engine runs there.
//
//	compose-check <compose.yaml> [env-file ...]
package main

import (
	"context"
	"fmt"
	"os"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check <compose.yaml> [env-file ...]")
		os.Exit(2)
	}
	options, err := cli.NewProjectOptions(
		[]string{os.Args[1]},
		cli.WithEnvFiles(os.Args[2:]...),
		cli.WithDotEnv,
		cli.WithName("compose-check"),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	names := make([]string, 0, len(project.Services))
	for name := range project.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Println(name)
	}
}
