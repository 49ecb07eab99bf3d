package smp

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

// TestShootdownBeginsAGeneration checks that shootdown, the one function
// every TLB invalidation goes through, first begins a new page-table
// generation: kernel/process's block cache is safe only because of it.
func TestShootdownBeginsAGeneration(t *testing.T) {
	file, err := parser.ParseFile(token.NewFileSet(), "shootdown.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var body *ast.BlockStmt
	invalidates := 0
	for _, decl := range file.Decls {
		f, ok := decl.(*ast.FuncDecl)
		if !ok {
			continue
		}
		if f.Name.Name == "shootdown" {
			body = f.Body
		}
		if f.Name.Name == "invalidateHere" || f.Name.Name == "Service" || f.Name.Name == "shootdown" {
			continue
		}
		ast.Inspect(f.Body, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "invalidateHere" {
					invalidates++
				}
			}
			return true
		})
	}
	if body == nil || len(body.List) == 0 {
		t.Fatal("shootdown.go has no shootdown function")
	}
	first, ok := body.List[0].(*ast.ExprStmt)
	if !ok {
		t.Fatal("shootdown's first statement is not a call")
	}
	call, ok := first.X.(*ast.CallExpr)
	if !ok {
		t.Fatal("shootdown's first statement is not a call")
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "InvalidationBegins" {
		t.Fatal("shootdown does not begin with paging.InvalidationBegins()")
	}
	if invalidates != 0 {
		t.Fatalf("%d other functions invalidate TLB entries without shootdown", invalidates)
	}
}
