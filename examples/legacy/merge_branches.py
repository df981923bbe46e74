'''Two Sequential branches merged with Merge(mode='concat') (Keras 1 style): the left branch sees
the top half of each digit image, the right branch the bottom half.

Expected: test accuracy of at least 0.85 (about 0.95).
'''
from __future__ import print_function
import os
import numpy as np
np.random.seed(1337)

from sklearn.datasets import load_digits
from keras.models import Sequential
from keras.layers import Dense, Merge, Activation
from keras.utils.np_utils import to_categorical

nb_epoch = int(os.environ.get('NB_EPOCH', 15))
digits = load_digits()
X = digits.data.astype('float32') / 16.
Y = to_categorical(digits.target, 10)
top, bottom = X[:, :32], X[:, 32:]

left_branch = Sequential()
left_branch.add(Dense(32, input_dim=32))
left_branch.add(Activation('relu'))

right_branch = Sequential()
right_branch.add(Dense(32, input_dim=32))
right_branch.add(Activation('relu'))

merged = Merge([left_branch, right_branch], mode='concat')

final_model = Sequential()
final_model.add(merged)
final_model.add(Dense(10, activation='softmax'))
final_model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
final_model.fit([top[:1400], bottom[:1400]], Y[:1400], batch_size=32, nb_epoch=nb_epoch,
                verbose=0)
loss, acc = final_model.evaluate([top[1400:], bottom[1400:]], Y[1400:], verbose=0)
print('Test accuracy:', acc)
