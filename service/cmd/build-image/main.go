// Command build-image builds the service's OCI image without Docker or a base image: one layer with the static
// binary, CA certificates and a nonroot user, fixed timestamps, OCI labels with the source commit. The same inputs
// give the same digest (scripts/service/build-image.sh builds it twice in test:service and compares).
//
//	build-image -revision <sha> -epoch <unix seconds> -binary linux/amd64=<path> [-binary linux/arm64=<path>] \
//	  -out <oci layout dir> [-push <registry/repo:tag>]
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

type binaries map[string]string

func (b binaries) String() string { return fmt.Sprint(map[string]string(b)) }

func (b binaries) Set(s string) error {
	platform, path, ok := strings.Cut(s, "=")
	if !ok || !strings.HasPrefix(platform, "linux/") {
		return fmt.Errorf("want linux/<arch>=<path>, got %q", s)
	}
	b[platform] = path
	return nil
}

func main() {
	spec := Spec{Binaries: map[string]string{}}
	var epoch int64
	var out, push string
	flag.StringVar(&spec.Revision, "revision", "", "source commit (git SHA), recorded in the OCI labels")
	flag.StringVar(&spec.Source, "source", "", "source repository URL (org.opencontainers.image.source)")
	flag.Int64Var(&epoch, "epoch", -1, "timestamp for every file and the image (the commit time, git log -1 --format=%ct)")
	flag.Var(binaries(spec.Binaries), "binary", "linux/<arch>=<path> of a static binary; repeat per platform")
	flag.StringVar(&out, "out", "", "OCI image layout directory to write (replaced)")
	flag.StringVar(&push, "push", "", "also push the index to this reference (credentials from the Docker config)")
	flag.Parse()
	if spec.Revision == "" || epoch < 0 || len(spec.Binaries) == 0 || out == "" {
		flag.Usage()
		os.Exit(2)
	}
	spec.Created = time.Unix(epoch, 0).UTC()
	if err := build(spec, out, push); err != nil {
		fmt.Fprintln(os.Stderr, "build-image:", err)
		os.Exit(1)
	}
}

func build(spec Spec, out, push string) error {
	index, err := Index(spec)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	p, err := layout.Write(out, empty.Index)
	if err != nil {
		return err
	}
	if err := p.AppendIndex(index); err != nil {
		return err
	}
	digest, err := index.Digest()
	if err != nil {
		return err
	}
	if push != "" {
		ref, err := name.ParseReference(push)
		if err != nil {
			return err
		}
		if err := remote.WriteIndex(ref, index, remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
			return fmt.Errorf("push %s: %w", ref, err)
		}
	}
	fmt.Println(digest)
	return nil
}
