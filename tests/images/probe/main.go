// probe: the one program of the test image that runs on the local cluster's real node.
// It is built statically (CGO_ENABLED=0) and copied into an image FROM scratch, so the
// tests need no registry and no base image (tests/helpers/node_images.py).
//
//	probe serve        print "probe ready", then sleep until SIGTERM (a long-running Pod)
//	probe exit CODE    print "probe exiting CODE", exit with CODE (Jobs: Complete or Failed)
//	probe sleep SECS   print "probe sleeping", sleep SECS seconds, exit 0 (a Job that takes a while)
//	probe api PATH     GET PATH from the API server through the `kubernetes` Service with the
//	                   Pod's ServiceAccount token, verifying the server against the mounted CA;
//	                   print "status <code>" and the body, exit 0 only on 200
package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const saDir = "/var/run/secrets/kubernetes.io/serviceaccount"

func main() {
	if len(os.Args) < 2 {
		fail("usage: probe serve | exit CODE | sleep SECONDS | api PATH")
	}
	switch os.Args[1] {
	case "serve":
		fmt.Println("probe ready")
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
		<-stop
		fmt.Println("probe stopping")
	case "exit":
		code, err := strconv.Atoi(arg(2))
		if err != nil {
			fail("exit: not a number: " + arg(2))
		}
		fmt.Printf("probe exiting %d\n", code)
		os.Exit(code)
	case "sleep":
		seconds, err := strconv.Atoi(arg(2))
		if err != nil {
			fail("sleep: not a number: " + arg(2))
		}
		fmt.Printf("probe sleeping %ds\n", seconds)
		time.Sleep(time.Duration(seconds) * time.Second)
		fmt.Println("probe woke up")
	case "api":
		os.Exit(api(arg(2)))
	default:
		fail("unknown command " + os.Args[1])
	}
}

func arg(i int) string {
	if len(os.Args) <= i {
		fail("missing argument")
	}
	return os.Args[i]
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "probe: "+msg)
	os.Exit(2)
}

func api(path string) int {
	token, err := os.ReadFile(saDir + "/token")
	if err != nil {
		fail(err.Error())
	}
	caPEM, err := os.ReadFile(saDir + "/ca.crt")
	if err != nil {
		fail(err.Error())
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		fail("no certificate in ca.crt")
	}
	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		fail("KUBERNETES_SERVICE_HOST/PORT not set")
	}
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: "kubernetes.default.svc"}},
	}
	req, err := http.NewRequest("GET", "https://"+net.JoinHostPort(host, port)+path, nil)
	if err != nil {
		fail(err.Error())
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	resp, err := client.Do(req)
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64*1024))
	fmt.Printf("status %d\n%s\n", resp.StatusCode, body)
	if resp.StatusCode != http.StatusOK {
		return 1
	}
	return 0
}
