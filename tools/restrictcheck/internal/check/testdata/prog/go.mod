module restrictprog

go 1.26
