library(testthat)
library(GenomicDL)
test_check("GenomicDL")
