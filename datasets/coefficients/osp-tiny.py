# TeaCache rescaling polynomial for osp-tiny: modulated relative L1 -> estimated output relative L1.
# numpy.poly1d order (highest degree first), degree 1; fitted on modulated relative L1 in [0.007590719498693943, 0.06620913743972778]; outside it the polynomial extrapolates.
# teacache-toolkit 0.1.0, 2026-11-25T12:54:57.035Z. Use: rescale_func = np.poly1d(coefficients)
coefficients = [0.7566080220503083, 0.003501748114119553]
