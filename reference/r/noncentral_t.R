## noncentral_t.R -- R's noncentral t (pt/qt with ncp, nmath/pnt.c AS 243) on a grid the shared reference does not
## cover: negative t, negative ncp, lower and upper tails, fractional df, the large-df normal approximation, and
## quantiles. Output: noncentral_t.json next to this script. Run: Rscript reference/r/noncentral_t.R
here <- dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))))
source(file.path(here, "..", "stats-reference", "scripts", "helpers.R"))
out <- list(meta = list(R = R.version.string, generated = format(Sys.time(), "%Y-%m-%dT%H:%M:%SZ", tz = "UTC"),
                        call = "pt(t, df, ncp, lower.tail); qt(p, df, ncp, lower.tail)"))
g <- expand.grid(t = c(-3, -0.5, 0.7, 1.9602, 4, 12), df = c(1, 2.5, 10, 98, 150.1017650, 5e5),
                 ncp = c(-3, -0.5, 0.5, 2.8, 10, 39), stringsAsFactors = FALSE)
g$lower <- mapply(function(t, df, ncp) pt(t, df, ncp), g$t, g$df, g$ncp)
g$upper <- mapply(function(t, df, ncp) pt(t, df, ncp, lower.tail = FALSE), g$t, g$df, g$ncp)
out$pt <- g
qg <- expand.grid(p = c(0.025, 0.2, 0.5, 0.8, 0.975), df = c(3, 10, 98, 150.1017650), ncp = c(-1.5, 0.5, 2.8, 8))
qg$q <- mapply(function(p, df, ncp) qt(p, df, ncp), qg$p, qg$df, qg$ncp)
out$qt <- qg
write_json(out, file.path(here, "noncentral_t.json"))
cat("done\n")
