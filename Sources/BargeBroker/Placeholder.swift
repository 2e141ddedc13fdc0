enum BargeBrokerPlaceholder {}
