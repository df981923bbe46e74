'''Training from a Python generator with fit_generator and samples_per_epoch (Keras 1 style).

The generator yields shuffled batches of digits forever; validation draws nb_val_samples from a
second generator. Expected: test accuracy of at least 0.85 (about 0.95).
'''
from __future__ import print_function
import os
import numpy as np
np.random.seed(1337)

from sklearn.datasets import load_digits
from keras.models import Sequential
from keras.layers.core import Dense, Activation
from keras.optimizers import SGD
from keras.utils import np_utils

nb_epoch = int(os.environ.get('NB_EPOCH', 8))
digits = load_digits()
X = digits.data.astype('float32') / 16.
Y = np_utils.to_categorical(digits.target, 10)
X_train, Y_train, X_test, Y_test = X[:1400], Y[:1400], X[1400:], Y[1400:]


def batches(X, Y, batch_size=50):
    while True:
        order = np.random.permutation(len(X))
        for start in range(0, len(X) - batch_size + 1, batch_size):
            index = order[start:start + batch_size]
            yield X[index], Y[index]


model = Sequential()
model.add(Dense(64, input_dim=64, init='he_normal'))
model.add(Activation('relu'))
model.add(Dense(10))
model.add(Activation('softmax'))
model.compile(loss='categorical_crossentropy', optimizer=SGD(lr=0.1, momentum=0.9),
              metrics=['accuracy'])
model.fit_generator(batches(X_train, Y_train), samples_per_epoch=1400, nb_epoch=nb_epoch,
                    verbose=0, validation_data=(X_test, Y_test), nb_worker=1)
loss, acc = model.evaluate(X_test, Y_test, verbose=0)
print('Test accuracy:', acc)
