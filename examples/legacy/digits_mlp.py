'''Train a simple deep MLP on the digits dataset (Keras 1 style).

Gets to about 0.97 test accuracy after 10 epochs (expected: at least 0.90).
Set NB_EPOCH to train for fewer or more epochs.
'''
from __future__ import print_function
import os
import numpy as np
np.random.seed(1337)  # for reproducibility

from sklearn.datasets import load_digits
from keras.models import Sequential
from keras.layers.core import Dense, Dropout, Activation
from keras.optimizers import RMSprop
from keras.utils import np_utils

batch_size = 64
nb_classes = 10
nb_epoch = int(os.environ.get('NB_EPOCH', 10))

# the data, shuffled and split between train and test sets
digits = load_digits()
X = digits.data.astype('float32') / 16.
y = digits.target
order = np.random.permutation(len(X))
X, y = X[order], y[order]
X_train, X_test = X[:1400], X[1400:]
y_train, y_test = y[:1400], y[1400:]
print(X_train.shape[0], 'train samples')
print(X_test.shape[0], 'test samples')

# convert class vectors to binary class matrices
Y_train = np_utils.to_categorical(y_train, nb_classes)
Y_test = np_utils.to_categorical(y_test, nb_classes)

model = Sequential()
model.add(Dense(128, input_dim=64, init='glorot_uniform'))
model.add(Activation('relu'))
model.add(Dropout(0.2))
model.add(Dense(128))
model.add(Activation('relu'))
model.add(Dropout(0.2))
model.add(Dense(10))
model.add(Activation('softmax'))

model.compile(loss='categorical_crossentropy',
              optimizer=RMSprop(),
              metrics=['accuracy'])

history = model.fit(X_train, Y_train,
                    batch_size=batch_size, nb_epoch=nb_epoch,
                    verbose=0, validation_data=(X_test, Y_test))
print('Final val_acc:', history.history['val_acc'][-1])
score = model.evaluate(X_test, Y_test, verbose=0)
print('Test score:', score[0])
print('Test accuracy:', score[1])
