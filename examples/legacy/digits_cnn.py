'''A small convnet on the digits dataset, Theano dimension ordering (Keras 1 style).

Gets to about 0.95 test accuracy after 8 epochs (expected: at least 0.85).
'''
from __future__ import print_function
import os
import numpy as np
np.random.seed(1337)

from sklearn.datasets import load_digits
from keras.models import Sequential
from keras.layers import Dense, Dropout, Activation, Flatten
from keras.layers import Convolution2D, MaxPooling2D
from keras.utils import np_utils

batch_size = 32
nb_classes = 10
nb_epoch = int(os.environ.get('NB_EPOCH', 8))
img_rows, img_cols = 8, 8
nb_filters = 8
nb_pool = 2
nb_conv = 3

digits = load_digits()
X = digits.images.reshape(-1, 1, img_rows, img_cols).astype('float32') / 16.
y = digits.target
X_train, X_test = X[:1400], X[1400:]
y_train, y_test = y[:1400], y[1400:]
Y_train = np_utils.to_categorical(y_train, nb_classes)
Y_test = np_utils.to_categorical(y_test, nb_classes)

model = Sequential()
model.add(Convolution2D(nb_filters, nb_conv, nb_conv, border_mode='same',
                        input_shape=(1, img_rows, img_cols), dim_ordering='th'))
model.add(Activation('relu'))
model.add(MaxPooling2D(pool_size=(nb_pool, nb_pool), dim_ordering='th'))
model.add(Flatten())
model.add(Dense(64))
model.add(Activation('relu'))
model.add(Dropout(0.25))
model.add(Dense(nb_classes))
model.add(Activation('softmax'))

model.compile(loss='categorical_crossentropy', optimizer='adadelta', metrics=['accuracy'])
model.fit(X_train, Y_train, batch_size=batch_size, nb_epoch=nb_epoch,
          show_accuracy=True, verbose=0, validation_data=(X_test, Y_test))
score = model.evaluate(X_test, Y_test, show_accuracy=True, verbose=0)
print('Test score:', score[0])
print('Test accuracy:', score[1])
