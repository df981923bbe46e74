"""Recurrent layers: the RNN base, its cells (SimpleRNN, LSTM, GRU) and wrappers."""

from lamina.layers.rnn.gru import GRU, GRUCell
from lamina.layers.rnn.lstm import LSTM, LSTMCell
from lamina.layers.rnn.rnn import RNN, DropoutRNNCell, StackedRNNCells
from lamina.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell

__all__ = ["GRU", "LSTM", "RNN", "DropoutRNNCell", "GRUCell", "LSTMCell", "SimpleRNN",
           "SimpleRNNCell", "StackedRNNCells"]

from lamina.layers.rnn.bidirectional import Bidirectional
from lamina.layers.rnn.conv_lstm import ConvLSTM, ConvLSTM1D, ConvLSTM2D, ConvLSTM3D, ConvLSTMCell
from lamina.layers.rnn.time_distributed import TimeDistributed
from lamina.layers.rnn.wrapper import Wrapper

__all__ += ["Bidirectional", "ConvLSTM", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "ConvLSTMCell",
            "TimeDistributed", "Wrapper"]
