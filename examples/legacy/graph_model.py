'''The Keras 0.x Graph model: one input, a shared trunk and two named outputs, trained on a dict.

Output "sum" learns the sum of the 4 inputs, output "diff" the first minus the last.
Expected: total validation loss below 0.05 (mean squared error, both outputs).
'''
from __future__ import print_function
import os
import numpy as np
np.random.seed(1337)

from keras.models import Graph
from keras.layers.core import Dense
from keras.optimizers import Adam

nb_epoch = int(os.environ.get('NB_EPOCH', 60))
X = np.random.uniform(-1, 1, size=(512, 4)).astype('float32')
y_sum = X.sum(axis=1, keepdims=True)
y_diff = X[:, :1] - X[:, 3:]

graph = Graph()
graph.add_input(name='input', input_shape=(4,))
graph.add_node(Dense(16, activation='tanh'), name='trunk', input='input')
graph.add_node(Dense(8, activation='tanh'), name='side', input='input')
graph.add_node(Dense(1), name='sum_out', inputs=['trunk', 'side'], merge_mode='concat')
graph.add_node(Dense(1), name='diff_out', input='trunk')
graph.add_output(name='sum', input='sum_out')
graph.add_output(name='diff', input='diff_out')
graph.compile(optimizer=Adam(lr=0.01), loss={'sum': 'mse', 'diff': 'mse'})

history = graph.fit({'input': X[:400], 'sum': y_sum[:400], 'diff': y_diff[:400]},
                    batch_size=32, nb_epoch=nb_epoch, verbose=0)
loss = graph.evaluate({'input': X[400:], 'sum': y_sum[400:], 'diff': y_diff[400:]},
                      batch_size=32)
if isinstance(loss, list):
    loss = loss[0]
predictions = graph.predict({'input': X[:2]})
print('Predicted sums:', predictions['sum'].ravel(), 'true:', y_sum[:2].ravel())
print('Validation loss:', loss)
