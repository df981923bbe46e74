"""Image ops on JAX (resize, affine and perspective transforms, color conversion, patches)."""
