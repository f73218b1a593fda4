# TeaCache rescaling polynomial for latte-tiny: modulated relative L1 -> estimated output relative L1.
# numpy.poly1d order (highest degree first), degree 1; fitted on modulated relative L1 in [0.004883160348981619, 0.06411717087030411]; outside it the polynomial extrapolates.
# teacache-toolkit 0.1.0, 2026-11-25T12:36:14.700Z. Use: rescale_func = np.poly1d(coefficients)
coefficients = [0.8142738604898656, -0.002929241600127478]
