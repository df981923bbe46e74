"""The workloads as idiomatic hand-written PyTorch loops (eager, default thread count).

Same data, architectures and hyperparameters as the Keras-API runs: layers get Keras's
initialisers (glorot uniform kernels, zero biases, uniform(-0.05, 0.05) embeddings, orthogonal
recurrent kernels, LSTM forget-gate bias 1), and the optimizers Keras's settings where PyTorch
has them (Adam eps 1e-7, RMSprop alpha 0.9 eps 1e-7; PyTorch adds eps outside the square root
in both). Models end in logits and train with the fused losses (CrossEntropyLoss,
BCEWithLogitsLoss), as PyTorch code is written. Batches are index slices of a per-epoch
`torch.randperm`, the last batch partial, like Keras's `fit`.
"""

import numpy as np

from benchmarks import common


def _keras_init(torch, model):
    nn = torch.nn
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.uniform_(module.weight, -0.05, 0.05)
        elif isinstance(module, nn.LSTM):
            nn.init.xavier_uniform_(module.weight_ih_l0)
            nn.init.orthogonal_(module.weight_hh_l0)
            nn.init.zeros_(module.bias_ih_l0)
            nn.init.zeros_(module.bias_hh_l0)
            units = module.hidden_size
            with torch.no_grad():
                module.bias_ih_l0[units:2 * units] = 1.0  # gate order i, f, g, o
        elif isinstance(module, nn.MultiheadAttention):
            nn.init.xavier_uniform_(module.in_proj_weight)
            nn.init.zeros_(module.in_proj_bias)
    return model


def _epoch_fn(torch, model, optimizer, loss_fn, x, y, batch_size):
    """One shuffled epoch; returns [mean training loss over samples]."""
    rows = x.shape[0]

    def epoch():
        model.train()
        total = torch.zeros(())
        perm = torch.randperm(rows)
        for start in range(0, rows, batch_size):
            idx = perm[start:start + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
            total += loss.detach() * idx.shape[0]
        return [total.item() / rows]
    return epoch


def _adam(torch, model):
    return torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)


def run_xor(torch, size, steady_epochs):
    nn = torch.nn
    x, y = torch.from_numpy(common.XOR_X), torch.from_numpy(common.XOR_Y)
    model = _keras_init(torch, nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1),
                                             nn.Sigmoid()))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    epochs = size["xor_epochs"]
    one_epoch = _epoch_fn(torch, model, optimizer, nn.MSELoss(), x, y, 4)

    def fit():
        return [one_epoch()[0] for _ in range(epochs)]
    return common.run_epochs(fit, steady_epochs, 4 * epochs)


def mlp_model(torch):
    nn = torch.nn
    return _keras_init(torch, nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Dropout(0.2),
                                            nn.Linear(512, 512), nn.ReLU(), nn.Dropout(0.2),
                                            nn.Linear(512, 10)))


def run_mlp(torch, size, steady_epochs):
    x, y = common.mlp_data(size["mlp_rows"])
    model = mlp_model(torch)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    epoch = _epoch_fn(torch, model, optimizer, torch.nn.CrossEntropyLoss(),
                      torch.from_numpy(x), torch.from_numpy(y).long(), 128)
    return common.run_epochs(epoch, steady_epochs, len(x))


def run_cnn(torch, size, steady_epochs):
    nn = torch.nn
    x, y = common.cnn_data(size["cnn_rows"])
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))  # NCHW, PyTorch's
    model = _keras_init(torch, nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), nn.Linear(64 * 5 * 5, 10)))
    epoch = _epoch_fn(torch, model, _adam(torch, model), nn.CrossEntropyLoss(), xt,
                      torch.from_numpy(y).long(), 128)
    return common.run_epochs(epoch, steady_epochs, len(x))


def run_lstm(torch, size, steady_epochs):
    nn = torch.nn

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(common.VOCAB, 128)
            self.lstm = nn.LSTM(128, 64, batch_first=True)
            self.dense = nn.Linear(64, 1)

        def forward(self, x):
            _, (h, _) = self.lstm(self.embedding(x))
            return self.dense(h[-1]).squeeze(-1)

    x, y = common.sequence_data(size["seq_rows"], common.LSTM_LENGTH)
    model = _keras_init(torch, Classifier())
    epoch = _epoch_fn(torch, model, _adam(torch, model), nn.BCEWithLogitsLoss(),
                      torch.from_numpy(x).long(), torch.from_numpy(y).float(), 64)
    return common.run_epochs(epoch, steady_epochs, len(x))


def run_transformer(torch, size, steady_epochs):
    nn = torch.nn

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.tokens = nn.Embedding(common.VOCAB, 64)
            self.positions = nn.Embedding(common.TRANSFORMER_LENGTH, 64)
            # kdim = 64 = 2 heads x key_dim 32, as in the Keras model.
            self.attention = nn.MultiheadAttention(64, 2, batch_first=True)
            self.norm1, self.norm2 = nn.LayerNorm(64, eps=1e-6), nn.LayerNorm(64, eps=1e-6)
            self.ffn = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64))
            self.dropout = nn.Dropout(0.1)
            self.dense = nn.Linear(64, 2)

        def forward(self, x):
            h = self.tokens(x) + self.positions(torch.arange(x.shape[1]))
            attended, _ = self.attention(h, h, h, need_weights=False)
            h = self.norm1(h + self.dropout(attended))
            h = self.norm2(h + self.dropout(self.ffn(h)))
            return self.dense(self.dropout(h.mean(dim=1)))

    x, y = common.sequence_data(size["seq_rows"], common.TRANSFORMER_LENGTH)
    model = _keras_init(torch, Classifier())
    epoch = _epoch_fn(torch, model, _adam(torch, model), nn.CrossEntropyLoss(),
                      torch.from_numpy(x).long(), torch.from_numpy(y).long(), 32)
    return common.run_epochs(epoch, steady_epochs, len(x))


def _inference_model(torch):
    return torch.nn.Sequential(mlp_model(torch), torch.nn.Softmax(dim=-1)).eval()


def run_call_one(torch, size, steady_epochs):
    """W6p and W6c: PyTorch has no predict(); both rows are a plain call under no_grad."""
    model = _inference_model(torch)
    one = torch.from_numpy(common.mlp_data(8)[0][:1])

    def call():
        with torch.no_grad():
            return model(one).numpy()
    return common.latency(call, size["latency_calls"], 1)


def run_predict_many(torch, size, steady_epochs):
    model = _inference_model(torch)
    x = torch.from_numpy(common.mlp_data(size["predict_rows"])[0])

    def predict():
        with torch.no_grad():
            return np.concatenate([model(x[i:i + 128]).numpy() for i in range(0, len(x), 128)])
    return common.latency(predict, max(3, steady_epochs), len(x))


RUNNERS = {"W1": run_xor, "W2": run_mlp, "W3": run_cnn, "W4": run_lstm, "W5": run_transformer,
           "W6p": run_call_one, "W6c": run_call_one, "W6t": run_predict_many}


def run(workload, system, size, steady_epochs):
    import torch
    torch.set_flush_denormal(True)
    torch.manual_seed(common.SEED)
    return RUNNERS[workload](torch, size, steady_epochs)
