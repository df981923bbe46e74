"""Base of optimizers that wrap others: their state is their own variables plus the inner ones'."""

from lamina import backend, ops
from lamina.optimizers.optimizer import Optimizer


class WrappingOptimizer(Optimizer):
    """An `Optimizer` whose `variables` include inner optimizers' variables.

    Subclasses define `variables` (own first, then inner) and `apply`; this class makes
    `stateless_apply`, `set_weights`, `save_own_variables` and `load_own_variables` cover all of
    `variables`, in that order.
    """

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        """`apply` on raw values, returning new values instead of changing any variable.

        Args:
            optimizer_variables: Values of `self.variables` (own, then inner), in that order.
            grads: Gradients, one per variable given to `build` (None to skip one).
            trainable_variables: Values of the variables given to `build`, in that order.

        Returns:
            `(new_trainable_values, new_optimizer_values)`, two lists ordered like the inputs.
        """
        self._check_initialized()
        if not self.built:
            raise ValueError(f"{self._describe()}.stateless_apply: the optimizer must be built "
                             "first. Call `optimizer.build(trainable_variables)`.")
        variables = self.variables
        optimizer_variables = list(optimizer_variables)
        trainable_variables = list(trainable_variables)
        for arg, values, owners in (("optimizer_variables", optimizer_variables, variables),
                                    ("trainable_variables", trainable_variables,
                                     self._trainable_variables)):
            if len(values) != len(owners):
                raise ValueError(f"{self._describe()}.stateless_apply: `{arg}` must hold one "
                                 f"value per variable ({len(owners)}). Received {len(values)}.")
        mapping = [(variable, ops.convert_to_tensor(value, dtype=variable.dtype))
                   for variable, value in zip(self._trainable_variables + variables,
                                              trainable_variables + optimizer_variables)]
        with backend.StatelessScope(state_mapping=mapping) as scope:
            self.apply(list(grads))
        return ([scope.get_current_value(v) for v in self._trainable_variables],
                [scope.get_current_value(v) for v in variables])

    def set_weights(self, weights):
        """Assign `weights` (arrays ordered like `variables`) to own and inner variables."""
        variables = self.variables
        weights = list(weights)
        if not self.built or len(weights) != len(variables):
            raise ValueError(f"{self._describe()}.set_weights: build the optimizer first and "
                             f"pass one array per variable ({len(variables)}). Received "
                             f"{len(weights)}.")
        for variable, weight in zip(variables, weights):
            variable.assign(weight)

    def save_own_variables(self, store):
        """Write own then inner variable values into `store` under keys "0", "1", ..."""
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store):
        """Read values written by `save_own_variables` (own then inner variables)."""
        variables = self.variables
        if len(store.keys()) != len(variables):
            raise ValueError(f"{self._describe()}.load_own_variables: the optimizer has "
                             f"{len(variables)} variables, the store holds "
                             f"{len(store.keys())}. Build the optimizer before loading.")
        for i, variable in enumerate(variables):
            variable.assign(store[str(i)])
