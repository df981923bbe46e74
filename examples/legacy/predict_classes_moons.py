'''predict_classes and predict_proba on a binary task (Keras 1 style): two interleaved half
moons, a small MLP with one sigmoid output.

Expected: accuracy of predict_classes on held-out points of at least 0.85 (about 0.9).
'''
from __future__ import print_function
import os
import numpy as np
np.random.seed(1337)

from sklearn.datasets import make_moons
from keras.models import Sequential
from keras.layers.core import Dense, Activation
from keras.optimizers import Adam

nb_epoch = int(os.environ.get('NB_EPOCH', 100))
X, y = make_moons(n_samples=600, noise=0.1, random_state=0)
X = X.astype('float32')

model = Sequential()
model.add(Dense(output_dim=32, input_dim=2, init='uniform', activation='tanh'))
model.add(Dense(output_dim=32, activation='tanh'))
model.add(Dense(output_dim=1, activation='sigmoid'))
model.compile(loss='binary_crossentropy', optimizer=Adam(lr=0.01), class_mode='binary')
model.fit(X[:400], y[:400], nb_epoch=nb_epoch, batch_size=32, verbose=0)

classes = model.predict_classes(X[400:], verbose=0)
proba = model.predict_proba(X[400:], verbose=0)
print('First probabilities:', proba[:3].ravel())
print('Test accuracy:', np.mean(classes.ravel() == y[400:]))
